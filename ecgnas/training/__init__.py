"""Training a beat classifier on MIT-BIH beats and scoring it with AAMI EC57 metrics.

The exported names load their module on first use, so that reading a
:class:`TrainConfig` does not import PyTorch.
"""

from typing import TYPE_CHECKING

from ecgnas.lazy import lazy_exports

if TYPE_CHECKING:
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

_SOURCES = {
    "AamiMetrics": "ecgnas.training.metrics",
    "EpochRecord": "ecgnas.training.result",
    "MACRO_CLASSES": "ecgnas.training.metrics",
    "TrainConfig": "ecgnas.training.config",
    "TrainResult": "ecgnas.training.result",
    "UndefinedMetricWarning": "ecgnas.training.metrics",
    "aami_metrics": "ecgnas.training.metrics",
    "confusion_matrix": "ecgnas.training.metrics",
    "evaluate_model": "ecgnas.training.predict",
    "evaluate_predictions": "ecgnas.training.metrics",
    "predict_proba": "ecgnas.training.predict",
    "resolve_device": "ecgnas.training.device",
    "train_model": "ecgnas.training.fit",
}

__all__ = [
    "AamiMetrics",
    "EpochRecord",
    "MACRO_CLASSES",
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
__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
