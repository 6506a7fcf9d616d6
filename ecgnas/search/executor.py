"""Executors run a batch of evaluations: in this process, or elsewhere (Ray)."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence

from ecgnas.search.evaluator import Evaluator, evaluate_safely
from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.architecture import Architecture


class Executor(abc.ABC):
    """Evaluates a batch and yields results as they finish."""

    @abc.abstractmethod
    def run(
        self, evaluator: Evaluator, archs: Sequence[Architecture], may_start: Callable[[], bool]
    ) -> Iterator[EvaluationResult]:
        """Evaluate ``archs``, starting each only while ``may_start()`` is true."""


class LocalExecutor(Executor):
    """Evaluates one architecture at a time in this process."""

    def run(
        self, evaluator: Evaluator, archs: Sequence[Architecture], may_start: Callable[[], bool]
    ) -> Iterator[EvaluationResult]:
        for arch in archs:
            if not may_start():
                return
            yield evaluate_safely(evaluator, arch)
