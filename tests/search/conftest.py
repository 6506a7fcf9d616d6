"""A small cell space and a synthetic evaluator whose metric follows the cell's structure."""

import math

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from ecgnas.search.evaluator import Evaluator
from ecgnas.search.result import OK, EvaluationResult
from ecgnas.spaces.cell_space import CellSpace


@pytest.fixture
def space() -> CellSpace:
    return CellSpace("toy", ["conv3", "conv5", "pool"], max_nodes=6, max_edges=8)


class StructureEvaluator(Evaluator):
    """Metric = conv operations on paths plus a small edge bonus; every evaluation costs 10 s."""

    def __init__(self, fail_every: int = 0, nan_every: int = 0, interrupt_at: int = 0) -> None:
        self.calls = 0
        self.fail_every = fail_every
        self.nan_every = nan_every
        self.interrupt_at = interrupt_at

    def evaluate(self, arch):
        self.calls += 1
        if self.interrupt_at and self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        if self.fail_every and self.calls % self.fail_every == 0:
            raise RuntimeError("simulated out of memory")
        if self.nan_every and self.calls % self.nan_every == 0:
            return EvaluationResult(arch, OK, math.nan, cost_seconds=10.0)
        paths = arch.pruned().paths()
        conv = sum(op.startswith("conv") for path in paths for op in path)
        metric = conv + 0.1 * arch.pruned().n_edges
        return EvaluationResult(arch, OK, float(metric), test_metric=float(metric) - 0.5, cost_seconds=10.0)


@pytest.fixture
def evaluator() -> StructureEvaluator:
    return StructureEvaluator()


class RidgePredictor:
    """A small real predictor: ridge regression on path encodings."""

    def __init__(self, space):
        self.space = space
        self.fits = []

    def fit(self, labelled):
        self.fits.append(len(labelled))
        codes = np.stack([self.space.path_encoding(arch) for arch, _ in labelled])
        self.model = Ridge(alpha=1.0).fit(codes, [metric for _, metric in labelled])
        return self

    def score(self, archs):
        return self.model.predict(np.stack([self.space.path_encoding(arch) for arch in archs]))
