"""Evaluating architectures by looking them up in a NAS-Bench table."""

from __future__ import annotations

from ecgnas.nasbench.tabular import TabularBenchmark
from ecgnas.search.evaluator import Evaluator
from ecgnas.search.result import OK, EvaluationResult
from ecgnas.spaces.architecture import Architecture


class TableEvaluator(Evaluator):
    """Returns a benchmark row's validation accuracy, test accuracy and training time.

    The cost is the training time the benchmark reports, so a cost budget
    means the same as it would for real training.

    Args:
        benchmark: An opened benchmark mode.
        epochs: Training budget (fidelity) of the rows; ``None`` for the full budget.
    """

    def __init__(self, benchmark: TabularBenchmark, epochs: int | None = None) -> None:
        self.benchmark = benchmark
        self.epochs = epochs

    def evaluate(self, arch: Architecture) -> EvaluationResult:
        row = self.benchmark.query(arch, self.epochs)
        return EvaluationResult(
            arch,
            OK,
            float(row.metric),
            row.test_metric,
            float(row.cost_s),
            info={"params_m": row.params_m, "benchmark": row.benchmark, "key": row.key},
        )
