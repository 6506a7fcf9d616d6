"""Training a beat classifier on MIT-BIH beats and scoring it with AAMI EC57 metrics."""

from ecgnas.training.config import TrainConfig
from ecgnas.training.device import resolve_device
from ecgnas.training.fit import train_model
from ecgnas.training.metrics import (
    MACRO_CLASSES,
    AamiMetrics,
    UndefinedMetricWarning,
    aami_metrics,
    confusion_matrix,
    evaluate_predictions,
)
from ecgnas.training.predict import evaluate_model, predict_proba
from ecgnas.training.result import EpochRecord, TrainResult

__all__ = [
    "MACRO_CLASSES",
    "AamiMetrics",
    "EpochRecord",
    "TrainConfig",
    "TrainResult",
    "UndefinedMetricWarning",
    "aami_metrics",
    "confusion_matrix",
    "evaluate_model",
    "evaluate_predictions",
    "predict_proba",
    "resolve_device",
    "train_model",
]
