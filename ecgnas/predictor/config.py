"""Typed, validated settings of the predictor: encoder, pre-training and fine-tuning.

Every field is used by the code; ``tests/predictor/test_config.py`` changes
each one and checks that the result changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ecgnas.exceptions import ConfigError

POOLINGS = ("mean", "sum", "max")
"""Global poolings of node states into one graph vector."""

RANKING_LOSSES = ("pairwise", "listnet", "contrastive")
"""Fine-tuning losses about order, see :mod:`ecgnas.predictor.losses`."""

LOSSES = (*RANKING_LOSSES, "mse")
"""Every fine-tuning loss; ``mse`` regresses the standardised metric (a baseline)."""

DEVICES = ("auto", "cpu", "cuda")
"""Accepted device names; ``cuda:N`` picks one GPU."""


def _check_positive(owner: str, name: str, value: float) -> None:
    if isinstance(value, bool) or not value > 0:
        raise ConfigError(f"{owner}.{name} is {value!r}; it must be a number above 0")


def _check_choice(owner: str, name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{owner}.{name} is {value!r}; allowed values: {list(allowed)}")


def _check_fraction(owner: str, name: str, value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise ConfigError(f"{owner}.{name} is {value!r}; it must lie in [0, 1)")


@dataclass(frozen=True)
class EncoderConfig:
    """Shape of the soft (GNN) encoder.

    Attributes:
        hidden: Width of every GIN layer's node states.
        layers: Number of GIN layers, which is the number of hops a node's state reaches.
        bidirectional: Also pass messages against the data flow, through a
            second GIN per layer whose output is added to the forward one.
        pooling: How node states become one graph vector, one of :data:`POOLINGS`.
        dropout: Dropout probability after each layer, in [0, 1).
        embedding: Width of the encoder's output, after the global choices
            are appended and projected.
    """

    hidden: int = 64
    layers: int = 3
    bidirectional: bool = True
    pooling: str = "sum"
    dropout: float = 0.1
    embedding: int = 64

    def __post_init__(self) -> None:
        _check_positive("encoder", "hidden", self.hidden)
        _check_positive("encoder", "layers", self.layers)
        _check_positive("encoder", "embedding", self.embedding)
        _check_choice("encoder", "pooling", self.pooling, POOLINGS)
        _check_fraction("encoder", "dropout", self.dropout)


@dataclass(frozen=True)
class PretrainConfig:
    """Contrastive pre-training without labels (stage 1).

    Attributes:
        n_archs: Unlabelled architectures sampled from the space.
        epochs: Passes over them.
        batch_size: Anchors per step; each brings two or three views.
        temperature: InfoNCE temperature applied to cosine similarities.
        n_neighbours: The positive neighbour of an anchor is drawn from its
            ``n_neighbours`` nearest architectures under path-encoding Hamming distance.
        relabel_positive: Add an isomorphic relabelling of the anchor as a
            second positive view.
        projection: Width of the projection head used only by the loss.
        learning_rate: Adam learning rate.
        seed: Seeds the sample, the batches, the initial weights and dropout.
    """

    n_archs: int = 10_000
    epochs: int = 15
    batch_size: int = 256
    temperature: float = 0.1
    n_neighbours: int = 5
    relabel_positive: bool = True
    projection: int = 64
    learning_rate: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("n_archs", "epochs", "temperature", "n_neighbours", "projection", "learning_rate"):
            _check_positive("pretrain", name, getattr(self, name))
        if self.batch_size < 2:
            raise ConfigError(
                f"pretrain.batch_size is {self.batch_size!r}; InfoNCE needs at least 2 anchors "
                "per batch so that each has negatives"
            )


@dataclass(frozen=True)
class FinetuneConfig:
    """Supervised fitting of encoder and scoring head on labelled architectures (stage 2).

    Attributes:
        loss: One of :data:`LOSSES`.
        epochs: Full-batch gradient steps over the labelled set.
        learning_rate: Adam learning rate of the scoring head.
        encoder_lr_scale: Factor on ``learning_rate`` for the encoder's
            weights, so that a pre-trained encoder moves less than the new head.
        weight_decay: AdamW weight decay of all weights.
        temperature: Scale of the scores inside ``listnet`` and
            ``contrastive``, and of the target distribution of ``listnet``.
        head_hidden: Width of the scoring head's hidden layer.
        ensemble: Independently initialised heads (and encoder copies)
            whose scores are averaged.
    """

    loss: str = "contrastive"
    epochs: int = 150
    learning_rate: float = 3e-3
    encoder_lr_scale: float = 0.3
    weight_decay: float = 1e-4
    temperature: float = 1.0
    head_hidden: int = 64
    ensemble: int = 1

    def __post_init__(self) -> None:
        _check_choice("finetune", "loss", self.loss, LOSSES)
        for name in ("epochs", "learning_rate", "encoder_lr_scale", "temperature", "head_hidden", "ensemble"):
            _check_positive("finetune", name, getattr(self, name))
        if self.weight_decay < 0:
            raise ConfigError(f"finetune.weight_decay is {self.weight_decay!r}; it must be 0 or more")


@dataclass(frozen=True)
class PredictorConfig:
    """Everything a predictor needs besides its space and data.

    Attributes:
        encoder: Shape of the GNN (ignored by the path-encoding MLP except
            ``hidden``, ``layers`` and ``dropout``, which size its layers).
        pretrain: Stage-1 settings, or ``None`` to train from scratch.
        finetune: Stage-2 settings.
        seed: Seeds the initial weights, dropout and the ensemble members of ``fit``.
        device: ``"auto"`` (a GPU when present, else CPU), ``"cpu"``,
            ``"cuda"`` or ``"cuda:N"``.
    """

    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    pretrain: PretrainConfig | None = field(default_factory=PretrainConfig)
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    seed: int = 0
    device: str = "auto"

    def __post_init__(self) -> None:
        base = self.device.split(":", 1)[0]
        if base not in DEVICES or (":" in self.device and not self.device.split(":", 1)[1].isdigit()):
            raise ConfigError(
                f"device is {self.device!r}; allowed values: {list(DEVICES)} or 'cuda:N' with a GPU index"
            )

    def replace(self, **changes: Any) -> PredictorConfig:
        """Return a copy with top-level fields replaced."""
        return dataclasses.replace(self, **changes)


def resolve_device(name: str) -> str:
    """Turn a configured device name into a torch device string.

    Raises:
        ConfigError: A GPU was requested but torch finds none.
    """
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(
            f"device {name!r} was requested but torch finds no CUDA GPU; use device 'cpu' or 'auto'"
        )
    return name
