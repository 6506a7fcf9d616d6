"""The interface every performance predictor implements."""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import Architecture

Labelled = Sequence[tuple[Architecture, float]]
"""Pairs of an architecture and its measured metric, higher is better."""


class Predictor(abc.ABC):
    """Fits on labelled architectures and scores new ones; higher scores mean better.

    Subclasses implement :meth:`fit` and :meth:`score`. Scores are comparable
    only between calls on the same fitted predictor.
    """

    #: Scale of score differences in :meth:`prob_better`.
    temperature: float = 1.0

    @abc.abstractmethod
    def fit(self, labelled: Labelled) -> Predictor:
        """Fit on ``labelled`` from the predictor's starting weights and return ``self``."""

    @abc.abstractmethod
    def score(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Return one score per architecture, float64, shape ``(len(archs),)``."""

    def prob_better(self, first: Architecture, second: Architecture) -> float:
        """Estimate the probability that ``first`` has the higher metric.

        It is :math:`\\sigma((s_1 - s_2) / \\tau)`: the probability that the
        pairwise logistic loss fits, and the two-cell Plackett-Luce probability
        of the contrastive ranking loss. After ListNet or MSE it orders pairs
        like the scores but is not calibrated.
        """
        first_score, second_score = self.score([first, second])
        return 1.0 / (1.0 + math.exp(-(first_score - second_score) / self.temperature))


def check_labelled(labelled: Labelled) -> tuple[list[Architecture], np.ndarray]:
    """Split ``labelled`` into architectures and a float64 metric array.

    Raises:
        ConfigError: Fewer than two pairs, a metric that is not finite, or all
            metrics equal (no order to learn).
    """
    pairs = list(labelled)
    if len(pairs) < 2:
        raise ConfigError(f"fit needs at least 2 labelled architectures to learn an order, got {len(pairs)}")
    archs = [arch for arch, _ in pairs]
    metrics = np.asarray([float(metric) for _, metric in pairs], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(metrics))
    if bad.size:
        raise ConfigError(
            f"labelled metrics at positions {bad[:5].tolist()} are not finite ({metrics[bad[:5]].tolist()}); "
            "drop failed evaluations before fitting"
        )
    if np.all(metrics == metrics[0]):
        raise ConfigError(
            f"all {len(pairs)} labelled metrics equal {metrics[0]}; fit needs at least two different values"
        )
    return archs, metrics
