"""The ECG evaluator: a candidate is built from its space, trained on DS1 beats and scored
by macro-F1 on beats of other DS1 patients (one held-out split, or record folds)."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ecgnas.data.beatset import BeatSet
from ecgnas.exceptions import ConfigError
from ecgnas.search.evaluator import Evaluator
from ecgnas.search.result import OK, EvaluationResult
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.cost import count_macs, count_parameters
from ecgnas.spaces.declared_space import DeclaredSpace
from ecgnas.spaces.model import build_model
from ecgnas.training.config import TrainConfig
from ecgnas.training.fit import train_model
from ecgnas.training.metrics import aami_metrics
from ecgnas.training.result import TrainResult

logger = logging.getLogger(__name__)


def charged_seconds(result: TrainResult) -> float:
    """Return the device time a training run is charged: GPU seconds, or CPU core-seconds.

    On a CPU, a run holds ``threads`` cores for its wall-clock time, so the budget,
    stated in core-hours, is charged wall-clock seconds times threads.
    """
    if result.device.startswith("cuda"):
        return result.device_seconds
    return result.device_seconds * result.threads


class EcgEvaluator(Evaluator):
    """Trains each candidate under one fixed protocol and returns its validation macro-F1.

    With one split the score is the macro-F1 on its validation records. With several
    (record folds, see :func:`ecgnas.data.folds.fold_splits`) the candidate trains once per
    fold and the score is the macro-F1 of the out-of-fold predictions pooled over every
    fold's validation records, so that each record counts once.

    Args:
        space: The declared space whose macro skeleton builds the models.
        splits: (train, validation) beat sets, each validation part from other patients
            than its training part.
        config: Training settings of every candidate (the search fidelity).
    """

    def __init__(
        self, space: DeclaredSpace, splits: Sequence[tuple[BeatSet, BeatSet]], config: TrainConfig
    ) -> None:
        if not splits:
            raise ConfigError("the ECG evaluator needs at least one (train, validation) split")
        self.space = space
        self.splits = list(splits)
        self.config = config

    def evaluate(self, arch: Architecture) -> EvaluationResult:
        first_train = self.splits[0][0]
        n_rr = first_train.rr.shape[1]
        probe = build_model(arch, self.space, rr_features=n_rr)
        info: dict[str, Any] = {
            "parameters": count_parameters(probe),
            "macs": count_macs(probe, first_train.window, n_rr),
        }

        results = []
        for train, validation in self.splits:
            result = train_model(
                lambda: build_model(arch, self.space, rr_features=n_rr), train, validation, self.config
            )
            results.append(result)
            if not result.ok:
                break
        cost = sum(charged_seconds(result) for result in results)
        info.update(
            device=results[0].device,
            train_beats=sum(result.train_beats for result in results),
            epochs=_epoch_records(results),
        )

        failed = next((result for result in results if not result.ok), None)
        if failed is not None:
            reason = failed.reason or "training failed"
            if len(self.splits) > 1:
                reason = f"fold {len(results)} of {len(self.splits)}: {reason}"
            return EvaluationResult(arch, "failed", math.nan, None, cost, reason, info)

        if len(results) == 1:
            metrics = results[0].final_metrics
        else:
            confusion = np.sum([result.final_metrics.confusion for result in results], axis=0)
            metrics = aami_metrics(confusion, macro_classes=self.config.macro_classes)
            info.update(
                {f"fold{i}_macro_f1": result.final_metrics.macro_f1 for i, result in enumerate(results, 1)}
            )
        info.update({f"validation_{k}": v for k, v in metrics.as_flat_dict().items() if math.isfinite(v)})
        return EvaluationResult(arch, OK, float(metrics.macro_f1), None, cost, "", info)


def _epoch_records(results: list[TrainResult]) -> list[dict[str, float]]:
    """Per-epoch metrics for tracking; with several folds each name is prefixed by its fold."""
    records: list[dict[str, float]] = []
    for fold, result in enumerate(results, start=1):
        prefix = "" if len(results) == 1 else f"fold{fold}_"
        for index, epoch in enumerate(result.epochs):
            values = {f"{prefix}train_loss": epoch.train_loss}
            if epoch.validation is not None:
                values.update(
                    {f"{prefix}validation_{k}": v for k, v in epoch.validation.as_flat_dict().items()}
                )
            if index == len(records):
                records.append({})
            records[index].update(values)
    return records
