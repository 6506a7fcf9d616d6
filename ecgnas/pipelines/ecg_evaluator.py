"""The ECG evaluator: a candidate is built from its space, trained on search-train beats
and scored by macro-F1 on search-validation beats from other patients."""

from __future__ import annotations

import logging
import math

from ecgnas.data.beatset import BeatSet
from ecgnas.search.evaluator import Evaluator
from ecgnas.search.result import OK, EvaluationResult
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.cost import count_macs, count_parameters
from ecgnas.spaces.declared_space import DeclaredSpace
from ecgnas.spaces.model import build_model
from ecgnas.training.config import TrainConfig
from ecgnas.training.fit import train_model
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

    Args:
        space: The declared space whose macro skeleton builds the models.
        train: Search-train beats.
        validation: Search-validation beats (other records, so other patients).
        config: Training settings of every candidate (the search fidelity).
    """

    def __init__(
        self, space: DeclaredSpace, train: BeatSet, validation: BeatSet, config: TrainConfig
    ) -> None:
        self.space = space
        self.train = train
        self.validation = validation
        self.config = config

    def evaluate(self, arch: Architecture) -> EvaluationResult:
        n_rr = self.train.rr.shape[1]
        probe = build_model(arch, self.space, rr_features=n_rr)
        parameters = count_parameters(probe)
        macs = count_macs(probe, self.train.window, n_rr)

        result = train_model(
            lambda: build_model(arch, self.space, rr_features=n_rr), self.train, self.validation, self.config
        )
        info = {
            "parameters": parameters,
            "macs": macs,
            "device": result.device,
            "train_beats": result.train_beats,
            "epochs": [
                {
                    "train_loss": epoch.train_loss,
                    **(
                        {}
                        if epoch.validation is None
                        else {f"validation_{k}": v for k, v in epoch.validation.as_flat_dict().items()}
                    ),
                }
                for epoch in result.epochs
            ],
        }
        if not result.ok:
            return EvaluationResult(
                arch,
                "failed",
                math.nan,
                None,
                charged_seconds(result),
                result.reason or "training failed",
                info,
            )
        metrics = result.final_metrics
        info.update({f"validation_{k}": v for k, v in metrics.as_flat_dict().items() if math.isfinite(v)})
        return EvaluationResult(arch, OK, float(metrics.macro_f1), None, charged_seconds(result), "", info)
