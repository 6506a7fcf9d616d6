"""The ordered record of every evaluation of a search."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.architecture import Architecture


class History:
    """Evaluations in the order they finished, with the set of architectures already seen.

    Architectures are compared by their canonical form, so an isomorphic
    relabelling of an evaluated cell counts as seen.
    """

    def __init__(self, results: list[EvaluationResult] | None = None) -> None:
        self.results: list[EvaluationResult] = []
        self.unattached_seconds = 0.0
        self._seen: set[Architecture] = set()
        for result in results or []:
            self.add(result)

    def add(self, result: EvaluationResult) -> None:
        """Append one finished evaluation."""
        self.results.append(result)
        self._seen.add(result.arch)

    def __contains__(self, arch: Architecture) -> bool:
        return arch in self._seen

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[EvaluationResult]:
        return iter(self.results)

    def add_unattached_cost(self, seconds: float) -> None:
        """Count strategy time whose proposals were never evaluated, because the budget ran out."""
        self.unattached_seconds += seconds

    @property
    def cost_seconds(self) -> float:
        """Total cost of every evaluation so far, plus strategy time not attached to one."""
        return float(sum(result.cost_seconds for result in self.results)) + self.unattached_seconds

    @property
    def successful(self) -> list[EvaluationResult]:
        """Results with a usable metric."""
        return [result for result in self.results if result.ok]

    def best(self) -> EvaluationResult | None:
        """Return the result with the highest validation metric; ties go to the earliest."""
        best = None
        for result in self.results:
            if result.ok and (best is None or result.metric > best.metric):
                best = result
        return best

    def best_so_far(self) -> list[float]:
        """Return the best validation metric after each evaluation (``nan`` until one succeeds)."""
        values, best = [], -math.inf
        for result in self.results:
            if result.ok:
                best = max(best, result.metric)
            values.append(best if best > -math.inf else math.nan)
        return values
