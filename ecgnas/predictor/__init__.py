"""The dual-contrastive performance predictor and its baselines."""

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

__all__ = [
    "VARIANTS",
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
    "build_predictor",
    "load_encoder",
    "load_or_pretrain",
    "parse_variant",
    "pretrain_encoder",
    "ranking_metrics",
    "save_encoder",
]
