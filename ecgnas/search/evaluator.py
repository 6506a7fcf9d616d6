"""The evaluator interface: turning an architecture into a measured result."""

from __future__ import annotations

import abc
import logging
import math
import time

from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.architecture import Architecture

logger = logging.getLogger(__name__)


class Evaluator(abc.ABC):
    """Measures architectures: a table look-up for NAS-Bench, model training for ECG.

    The search loop works the same with either. An evaluator may raise or return ``nan``; the
    search loop turns both into a failed result through :func:`evaluate_safely`.
    """

    @abc.abstractmethod
    def evaluate(self, arch: Architecture) -> EvaluationResult:
        """Measure ``arch`` and return its result."""


def evaluate_safely(evaluator: Evaluator, arch: Architecture) -> EvaluationResult:
    """Call ``evaluator.evaluate(arch)``, turning an exception or a non-finite metric into a failure.

    ``KeyboardInterrupt`` and ``SystemExit`` still propagate, so Ctrl-C stops a search.
    """
    start = time.perf_counter()
    try:
        result = evaluator.evaluate(arch)
    except Exception as error:
        elapsed = time.perf_counter() - start
        logger.warning("Evaluation of %s failed; the search goes on", arch.to_string(), exc_info=True)
        return EvaluationResult.failed(arch, f"{type(error).__name__}: {error}", elapsed)
    if result.ok and not math.isfinite(result.metric):
        logger.warning(
            "Evaluation of %s returned metric %r; marking it failed", arch.to_string(), result.metric
        )
        return EvaluationResult.failed(arch, f"non-finite metric {result.metric!r}", result.cost_seconds)
    return result
