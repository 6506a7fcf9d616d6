"""AAMI EC57 heartbeat-classification metrics computed from a confusion matrix.

Every per-class figure is a one-versus-rest count read off the confusion matrix
(rows: reference class, columns: predicted class), as in the inter-patient
evaluations of de Chazal et al. (2004):

.. math::

    \\mathrm{Se}_c = \\frac{TP_c}{TP_c + FN_c}, \\quad
    \\mathrm{{+}P}_c = \\frac{TP_c}{TP_c + FP_c}, \\quad
    F1_c = \\frac{2\\,TP_c}{2\\,TP_c + FP_c + FN_c}, \\quad
    \\mathrm{FPR}_c = \\frac{FP_c}{FP_c + TN_c}

Convention for absent classes: a ratio whose denominator is zero is undefined and
is reported as NaN, never as 0 or 1. Sensitivity is undefined for a class with no
reference beats, positive predictivity for a class never predicted, F1 for a class
that is both absent and never predicted, and the false-positive rate when every
beat belongs to the class. The macro-F1 averages the defined F1 values of the
chosen classes only. An undefined one is left out of the mean, and one
:class:`UndefinedMetricWarning` per call lists every undefined value of those classes.

NOTE: EC57 also lists exceptions for some gross statistics, for example not counting
fusion beats classified as ventricular against the ventricular class. They are not
applied here: every count comes straight from the confusion matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.exceptions import ConfigError

MACRO_CLASSES: tuple[str, ...] = ("N", "S", "V", "F")
"""Classes averaged by the macro-F1 by default; Q has almost no beats in DS1 and DS2."""


class UndefinedMetricWarning(UserWarning):
    """A metric of a class chosen for the macro-F1 is undefined (a zero denominator)."""


@dataclass(frozen=True)
class AamiMetrics:
    """Per-class and overall metrics of one evaluation.

    Attributes:
        class_names: Class names in label order, length ``n_classes``.
        confusion: Beat counts, shape ``(n_classes, n_classes)``; row ``i`` is the
            reference class, column ``j`` the predicted class.
        sensitivity: Se of each class, shape ``(n_classes,)``, NaN where undefined.
        positive_predictivity: +P of each class, shape ``(n_classes,)``, NaN where undefined.
        f1: F1 of each class, shape ``(n_classes,)``, NaN where undefined.
        false_positive_rate: FPR of each class, shape ``(n_classes,)``, NaN where undefined.
        accuracy: Share of beats whose predicted class is the reference class.
        macro_f1: Mean F1 over ``macro_classes`` (undefined values left out), NaN when
            none is defined.
        macro_classes: Classes averaged by ``macro_f1``.
    """

    class_names: tuple[str, ...]
    confusion: np.ndarray
    sensitivity: np.ndarray
    positive_predictivity: np.ndarray
    f1: np.ndarray
    false_positive_rate: np.ndarray
    accuracy: float
    macro_f1: float
    macro_classes: tuple[str, ...]

    @property
    def support(self) -> np.ndarray:
        """Reference beats of each class, shape ``(n_classes,)``."""
        return self.confusion.sum(axis=1)

    @property
    def n_beats(self) -> int:
        """Number of beats evaluated."""
        return int(self.confusion.sum())

    def per_class(self, name: str) -> dict[str, float]:
        """Return Se, +P, F1 and FPR of class ``name`` as a dictionary.

        Raises:
            ConfigError: ``name`` is not one of ``class_names``.
        """
        index = _class_index(name, self.class_names, "class name")
        return {
            "sensitivity": float(self.sensitivity[index]),
            "positive_predictivity": float(self.positive_predictivity[index]),
            "f1": float(self.f1[index]),
            "false_positive_rate": float(self.false_positive_rate[index]),
        }

    def as_flat_dict(self) -> dict[str, float]:
        """Return every scalar under a flat key such as ``f1_S``, for logging and tracking.

        Undefined values stay NaN so that a reader can tell them from a real 0.
        """
        flat = {"accuracy": self.accuracy, "macro_f1": self.macro_f1}
        for index, name in enumerate(self.class_names):
            flat[f"sensitivity_{name}"] = float(self.sensitivity[index])
            flat[f"positive_predictivity_{name}"] = float(self.positive_predictivity[index])
            flat[f"f1_{name}"] = float(self.f1[index])
            flat[f"false_positive_rate_{name}"] = float(self.false_positive_rate[index])
        return flat


def confusion_matrix(
    labels: np.ndarray, predictions: np.ndarray, n_classes: int = len(AAMI_CLASSES)
) -> np.ndarray:
    """Count beats by reference class (rows) and predicted class (columns).

    Args:
        labels: Reference label indices, shape ``(n_beats,)``.
        predictions: Predicted label indices, shape ``(n_beats,)``.
        n_classes: Number of classes.

    Returns:
        Counts, shape ``(n_classes, n_classes)``, int64.

    Raises:
        ConfigError: The arrays differ in length or hold an index outside ``[0, n_classes)``.
    """
    labels = np.asarray(labels)
    predictions = np.asarray(predictions)
    if labels.shape != predictions.shape or labels.ndim != 1:
        raise ConfigError(
            f"labels and predictions must be 1-D arrays of one length, got shapes "
            f"{labels.shape} and {predictions.shape}"
        )
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ConfigError(
                f"{name} must lie in [0, {n_classes}), got values from {values.min()} to "
                f"{values.max()}; pass n_classes that covers every label"
            )
    flat = labels.astype(np.int64) * n_classes + predictions.astype(np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def aami_metrics(
    confusion: np.ndarray,
    class_names: Sequence[str] = AAMI_CLASSES,
    macro_classes: Sequence[str] = MACRO_CLASSES,
) -> AamiMetrics:
    """Compute the EC57 per-class metrics, accuracy and macro-F1 of a confusion matrix.

    Args:
        confusion: Beat counts, shape ``(n_classes, n_classes)``, rows reference, columns
            predicted.
        class_names: Class names in label order.
        macro_classes: Classes averaged by the macro-F1; each must be in ``class_names``.

    Returns:
        The metrics; see the module docstring for the convention on absent classes.

    Raises:
        ConfigError: The matrix is not square, does not match ``class_names``, contains
            negative counts or no beats at all, or ``macro_classes`` is empty or names an
            unknown class.
    """
    confusion = np.asarray(confusion)
    class_names = tuple(class_names)
    n_classes = len(class_names)
    if confusion.shape != (n_classes, n_classes):
        raise ConfigError(
            f"confusion matrix must have shape ({n_classes}, {n_classes}) for classes "
            f"{list(class_names)}, got {confusion.shape}"
        )
    if (confusion < 0).any():
        raise ConfigError("invalid confusion matrix: it contains negative counts; pass beat counts")
    total = int(confusion.sum())
    if total == 0:
        raise ConfigError("confusion matrix contains no beats; evaluate on a non-empty beat set")
    macro_classes = tuple(macro_classes)
    if not macro_classes:
        raise ConfigError(f"macro_classes is empty; choose some of {list(class_names)}")
    macro_indices = [_class_index(name, class_names, "macro class") for name in macro_classes]

    # One-versus-rest counts of each class, shape (n_classes,).
    confusion = confusion.astype(np.float64)
    true_positive = np.diag(confusion)
    false_negative = confusion.sum(axis=1) - true_positive
    false_positive = confusion.sum(axis=0) - true_positive
    true_negative = total - true_positive - false_negative - false_positive

    sensitivity = _ratio(true_positive, true_positive + false_negative)
    positive_predictivity = _ratio(true_positive, true_positive + false_positive)
    f1 = _ratio(2 * true_positive, 2 * true_positive + false_positive + false_negative)
    false_positive_rate = _ratio(false_positive, false_positive + true_negative)

    _warn_undefined(
        class_names,
        macro_indices,
        {"sensitivity": sensitivity, "positive predictivity": positive_predictivity, "F1": f1},
    )
    macro_values = f1[macro_indices]
    defined = macro_values[~np.isnan(macro_values)]
    macro_f1 = float(defined.mean()) if defined.size else float("nan")

    return AamiMetrics(
        class_names=class_names,
        confusion=confusion.astype(np.int64),
        sensitivity=sensitivity,
        positive_predictivity=positive_predictivity,
        f1=f1,
        false_positive_rate=false_positive_rate,
        accuracy=float(true_positive.sum() / total),
        macro_f1=macro_f1,
        macro_classes=macro_classes,
    )


def evaluate_predictions(
    labels: np.ndarray,
    predictions: np.ndarray,
    class_names: Sequence[str] = AAMI_CLASSES,
    macro_classes: Sequence[str] = MACRO_CLASSES,
) -> AamiMetrics:
    """Compute :func:`aami_metrics` from label and prediction arrays of shape ``(n_beats,)``."""
    return aami_metrics(confusion_matrix(labels, predictions, len(class_names)), class_names, macro_classes)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    result = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=result, where=denominator > 0)
    return result


def _class_index(name: str, class_names: tuple[str, ...], what: str) -> int:
    try:
        return class_names.index(name)
    except ValueError:
        raise ConfigError(f"unknown {what} {name!r}; choose one of {list(class_names)}") from None


def _warn_undefined(class_names: tuple[str, ...], indices: list[int], values: dict[str, np.ndarray]) -> None:
    undefined = [
        f"{metric} of {class_names[index]}"
        for metric, array in values.items()
        for index in indices
        if np.isnan(array[index])
    ]
    if undefined:
        # One warning per call; Python's default filter then shows a repeated message once.
        warnings.warn(
            f"undefined (zero denominator, reported as NaN): {', '.join(undefined)}; a class "
            "is absent from the reference labels or never predicted, and the macro-F1 "
            "leaves out any undefined F1",
            UndefinedMetricWarning,
            stacklevel=3,
        )
