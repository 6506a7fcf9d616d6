"""The dual-contrastive performance predictor and its baselines.

The exported names load their module on first use, so that reading a
:class:`PredictorConfig` does not import PyTorch Geometric.
"""

from typing import TYPE_CHECKING

from ecgnas.lazy import lazy_exports

if TYPE_CHECKING:
    from ecgnas.predictor.base import Labelled, Predictor
    from ecgnas.predictor.checkpoint import (
        EncoderMismatchError,
        load_encoder,
        load_or_pretrain,
        save_encoder,
    )
    from ecgnas.predictor.config import EncoderConfig, FinetuneConfig, PredictorConfig, PretrainConfig
    from ecgnas.predictor.gnn_predictor import GnnPredictor
    from ecgnas.predictor.metrics import RankingMetrics, ranking_metrics
    from ecgnas.predictor.path_mlp import PathMlpPredictor
    from ecgnas.predictor.pretraining import PretrainedEncoder, pretrain_encoder
    from ecgnas.predictor.variants import VARIANTS, build_predictor, parse_variant

_SOURCES = {
    "EncoderConfig": "ecgnas.predictor.config",
    "EncoderMismatchError": "ecgnas.predictor.checkpoint",
    "FinetuneConfig": "ecgnas.predictor.config",
    "GnnPredictor": "ecgnas.predictor.gnn_predictor",
    "Labelled": "ecgnas.predictor.base",
    "PathMlpPredictor": "ecgnas.predictor.path_mlp",
    "Predictor": "ecgnas.predictor.base",
    "PredictorConfig": "ecgnas.predictor.config",
    "PretrainConfig": "ecgnas.predictor.config",
    "PretrainedEncoder": "ecgnas.predictor.pretraining",
    "RankingMetrics": "ecgnas.predictor.metrics",
    "VARIANTS": "ecgnas.predictor.variants",
    "build_predictor": "ecgnas.predictor.variants",
    "load_encoder": "ecgnas.predictor.checkpoint",
    "load_or_pretrain": "ecgnas.predictor.checkpoint",
    "parse_variant": "ecgnas.predictor.variants",
    "pretrain_encoder": "ecgnas.predictor.pretraining",
    "ranking_metrics": "ecgnas.predictor.metrics",
    "save_encoder": "ecgnas.predictor.checkpoint",
}

__all__ = [
    "EncoderConfig",
    "EncoderMismatchError",
    "FinetuneConfig",
    "GnnPredictor",
    "Labelled",
    "PathMlpPredictor",
    "Predictor",
    "PredictorConfig",
    "PretrainConfig",
    "PretrainedEncoder",
    "RankingMetrics",
    "VARIANTS",
    "build_predictor",
    "load_encoder",
    "load_or_pretrain",
    "parse_variant",
    "pretrain_encoder",
    "ranking_metrics",
    "save_encoder",
]
__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
