"""The query interface shared by the NAS-Bench adapters: architecture in, table row out."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace


@dataclass(frozen=True)
class TableResult:
    """One architecture's results in a tabular benchmark at one training budget.

    Attributes:
        metric: Validation accuracy in percent, the value a search maximises.
        test_metric: Test accuracy in percent, or ``None`` where the benchmark
            mode has none (``nasbench101-20k``).
        cost_s: Training time in seconds, the cost of this evaluation.
        epochs: Training budget of the row.
        params_m: Trainable parameters in millions.
        benchmark: Mode and dataset, such as ``"nasbench201/cifar10"``, so that
            results of different modes cannot be mixed up.
        key: The row's key: the NAS-Bench-201 arch string or the NAS-Bench-101 hash.
        cost_is_estimate: ``True`` when the table has no training time for this
            budget and ``cost_s`` scales the longest budget's time by the ratio
            of epochs.
    """

    metric: float
    test_metric: float | None
    cost_s: float
    epochs: int
    params_m: float
    benchmark: str
    key: str
    cost_is_estimate: bool = False


class TabularBenchmark(abc.ABC):
    """A benchmark mode: a search space plus a table that scores its architectures."""

    @property
    @abc.abstractmethod
    def mode(self) -> str:
        """Mode name, such as ``"nasbench101-20k"``."""

    @property
    @abc.abstractmethod
    def space(self) -> SearchSpace:
        """The search space whose architectures :meth:`query` accepts."""

    @property
    @abc.abstractmethod
    def epochs(self) -> tuple[int, ...]:
        """Training budgets with results, the full budget first."""

    @property
    def has_test_metric(self) -> bool:
        """Whether results carry a test accuracy."""
        return True

    @abc.abstractmethod
    def query(self, arch: Architecture, epochs: int | None = None) -> TableResult:
        """Return the table row of ``arch`` at ``epochs`` (default: the full budget).

        Raises:
            InvalidArchitectureError: ``arch`` is not in :attr:`space`.
            NotInBenchmarkError: The table has no row for ``arch``.
            ConfigError: ``epochs`` is not one of :attr:`epochs`.
        """

    @abc.abstractmethod
    def summary(self) -> dict[str, Any]:
        """Return size, fidelities, optima and source checksums as plain data."""
