"""Named predictor variants: the dual-contrastive predictor and its ablation baselines.

A variant name may end in ``:LOSS`` to override its fine-tuning loss, for
example ``dual-contrastive:listnet``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ecgnas.exceptions import ConfigError
from ecgnas.predictor.base import Predictor
from ecgnas.predictor.config import LOSSES, PredictorConfig
from ecgnas.predictor.gnn_predictor import GnnPredictor
from ecgnas.predictor.path_mlp import PathMlpPredictor
from ecgnas.predictor.pretraining import PretrainedEncoder
from ecgnas.spaces.base import SearchSpace


@dataclass(frozen=True)
class Variant:
    """One predictor recipe.

    Attributes:
        name: Identifier used on the command line and in reports.
        model: ``"gnn"`` or ``"path-mlp"``.
        pretrained: Whether the GNN starts from the pre-trained encoder.
        loss: Fine-tuning loss, or ``None`` for the configured default.
        description: One line for reports.
    """

    name: str
    model: str
    pretrained: bool
    loss: str | None
    description: str


VARIANTS = {
    variant.name: variant
    for variant in (
        Variant("dual-contrastive", "gnn", True, None, "pre-trained GNN, ranking loss (the method)"),
        Variant("gnn-rank", "gnn", False, None, "GNN from scratch, ranking loss"),
        Variant("gnn-mse", "gnn", False, "mse", "GNN from scratch, MSE (neural-predictor baseline)"),
        Variant("pretrain-mse", "gnn", True, "mse", "pre-trained GNN, MSE"),
        Variant("path-mlp", "path-mlp", False, "mse", "MLP on the path encoding, MSE (BANANAS-style)"),
    )
}
"""The variants by name."""


def parse_variant(spec: str) -> Variant:
    """Read ``NAME`` or ``NAME:LOSS`` into a :class:`Variant`.

    Raises:
        ConfigError: Unknown name or loss.
    """
    name, _, loss = spec.partition(":")
    if name not in VARIANTS:
        raise ConfigError(f"predictor variant {name!r} is unknown; allowed values: {sorted(VARIANTS)}")
    variant = VARIANTS[name]
    if not loss:
        return variant
    if loss not in LOSSES:
        raise ConfigError(f"loss {loss!r} in variant {spec!r} is unknown; allowed values: {list(LOSSES)}")
    return dataclasses.replace(variant, name=spec, loss=loss)


def build_predictor(
    variant: Variant,
    space: SearchSpace,
    config: PredictorConfig,
    encoder: PretrainedEncoder | None = None,
) -> Predictor:
    """Make the predictor of ``variant`` from the shared ``config``.

    ``config.pretrain`` and ``encoder`` are used only by pre-trained variants;
    ``config.finetune.loss`` only when the variant names no loss.

    Raises:
        ConfigError: A pre-trained variant is requested but ``config.pretrain`` is ``None``.
    """
    finetune = config.finetune
    if variant.loss is not None:
        finetune = dataclasses.replace(finetune, loss=variant.loss)
    if variant.model == "path-mlp":
        return PathMlpPredictor(space, dataclasses.replace(config, pretrain=None, finetune=finetune))
    if not variant.pretrained:
        return GnnPredictor(space, dataclasses.replace(config, pretrain=None, finetune=finetune))
    if config.pretrain is None:
        raise ConfigError(
            f"variant {variant.name!r} starts from a pre-trained encoder but config.pretrain is None; "
            "set the pre-training settings"
        )
    return GnnPredictor(space, dataclasses.replace(config, finetune=finetune), encoder=encoder)
