"""Typed outcome of one training run."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ecgnas.data.dataset import Normalizer
from ecgnas.training.config import TrainConfig
from ecgnas.training.metrics import AamiMetrics

Status = Literal["ok", "failed"]


@dataclass(frozen=True)
class EpochRecord:
    """Figures of one finished epoch.

    Attributes:
        epoch: Epoch number, starting at 1.
        train_loss: Mean training loss per beat over the epoch (class-weighted when the
            run uses class weights).
        validation: Metrics on the validation beats after the epoch; ``None`` for an epoch
            without a validation pass (``TrainConfig.validate_every_epoch`` false).
        seconds: Wall-clock seconds of the epoch, training and evaluation together.
    """

    epoch: int
    train_loss: float
    validation: AamiMetrics | None
    seconds: float


@dataclass(frozen=True)
class TrainResult:
    """Outcome of :func:`ecgnas.training.fit.train_model`.

    Attributes:
        status: ``ok``, or ``failed`` when the run stopped early (see ``reason``).
        reason: Why the run failed, ``None`` when it succeeded.
        epochs: Records of the finished epochs; a failed run keeps those it finished.
        best_epoch: Epoch with the highest validation macro-F1, ``None`` when no finished
            epoch had a defined macro-F1.
        final_metrics: Validation metrics of the model's weights after the run: the best
            epoch's with ``restore_best``, else the last epoch's. ``None`` when the run
            failed.
        device_seconds: Wall-clock seconds that the run held the device: building the
            model, training and evaluation.
        device: Device the run used, such as ``cpu`` or ``cuda:0``.
        threads: CPU threads PyTorch used during the run.
        mixed_precision: Whether forward passes ran in bfloat16 autocast.
        parameter_count: Trainable parameters of the model; 0 if it could not be built.
        train_beats: Training beats per epoch after N-beat subsampling.
        steps_per_epoch: Optimizer steps per epoch.
        normalizer: Statistics of the training split that the model's inputs were
            standardised with; needed to predict with the model later.
        config: Settings of the run.
    """

    status: Status
    reason: str | None
    epochs: tuple[EpochRecord, ...]
    best_epoch: int | None
    final_metrics: AamiMetrics | None
    device_seconds: float
    device: str
    threads: int
    mixed_precision: bool
    parameter_count: int
    train_beats: int
    steps_per_epoch: int
    normalizer: Normalizer
    config: TrainConfig

    @property
    def ok(self) -> bool:
        """Whether the run finished every epoch with finite losses."""
        return self.status == "ok"

    @property
    def score(self) -> float:
        """Validation macro-F1 of the final weights, NaN for a failed run."""
        return self.final_metrics.macro_f1 if self.final_metrics is not None else math.nan

    @property
    def train_losses(self) -> tuple[float, ...]:
        """Mean training loss of each finished epoch."""
        return tuple(record.train_loss for record in self.epochs)
