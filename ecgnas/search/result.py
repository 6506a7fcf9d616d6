"""The outcome of evaluating one architecture."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ecgnas.spaces.architecture import Architecture

OK = "ok"
FAILED = "failed"


@dataclass(frozen=True)
class EvaluationResult:
    """Measurements of one architecture by an evaluator.

    Attributes:
        arch: The architecture evaluated.
        status: ``"ok"``, or ``"failed"`` when no metric could be measured.
        metric: Validation metric, higher is better; ``nan`` when failed.
        test_metric: Test metric for reporting only, never used to choose; ``None`` if unknown.
        cost_seconds: Device seconds the evaluation took or, for a table, the
            training time the benchmark reports.
        reason: Why the evaluation failed; empty when it succeeded.
        info: Further measurements (parameters, per-epoch metrics, ...), JSON-serialisable.
    """

    arch: Architecture
    status: str
    metric: float
    test_metric: float | None = None
    cost_seconds: float = 0.0
    reason: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the evaluation produced a usable metric."""
        return self.status == OK

    @classmethod
    def failed(cls, arch: Architecture, reason: str, cost_seconds: float = 0.0) -> EvaluationResult:
        """Build the result of an evaluation that produced no metric."""
        return cls(arch, FAILED, math.nan, None, cost_seconds, reason)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form; :meth:`from_dict` inverts it."""
        return {
            "arch": self.arch.to_string(),
            "status": self.status,
            "metric": None if math.isnan(self.metric) else self.metric,
            "test_metric": self.test_metric,
            "cost_seconds": self.cost_seconds,
            "reason": self.reason,
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationResult:
        """Rebuild a result written by :meth:`to_dict`."""
        metric = data["metric"]
        return cls(
            arch=Architecture.from_string(data["arch"]),
            status=data["status"],
            metric=math.nan if metric is None else float(metric),
            test_metric=data.get("test_metric"),
            cost_seconds=float(data.get("cost_seconds", 0.0)),
            reason=data.get("reason", ""),
            info=dict(data.get("info", {})),
        )
