"""Ranking metrics of a predictor on a labelled test set.

Kendall's tau-b and Spearman's rho come from :mod:`scipy.stats`; the two
search-oriented metrics are defined here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ecgnas.exceptions import ConfigError


@dataclass(frozen=True)
class RankingMetrics:
    """How well predicted scores order a test set.

    Attributes:
        kendall_tau: Kendall's tau-b between scores and true metrics, in [-1, 1].
        spearman_rho: Spearman's rank correlation, in [-1, 1].
        precision_top: Fraction of the predicted top ``fraction`` that is in
            the true top ``fraction``, in [0, 1].
        best_true_rank: True rank (1 = best) of the architecture with the
            highest predicted score; ties in the truth share the best rank.
    """

    kendall_tau: float
    spearman_rho: float
    precision_top: float
    best_true_rank: int


def precision_at_top(scores: np.ndarray, truth: np.ndarray, fraction: float = 0.05) -> float:
    """Fraction of the ``ceil(fraction * n)`` best-scored items that are among the truly best as many.

    Ties at the cut are broken by position (a stable sort), in both rankings.

    Raises:
        ConfigError: ``fraction`` is not in (0, 1].
    """
    if not 0.0 < fraction <= 1.0:
        raise ConfigError(f"top fraction is {fraction!r}; it must lie in (0, 1]")
    k = max(1, math.ceil(fraction * len(scores)))
    predicted = np.argsort(-np.asarray(scores), kind="stable")[:k]
    actual = np.argsort(-np.asarray(truth), kind="stable")[:k]
    return len(set(predicted.tolist()) & set(actual.tolist())) / k


def true_rank_of_predicted_best(scores: np.ndarray, truth: np.ndarray) -> int:
    """True rank (1 = best) of the highest-scored item: 1 + the number of items truly better."""
    best = int(np.argmax(scores))
    return 1 + int(np.sum(np.asarray(truth) > truth[best]))


def ranking_metrics(scores: np.ndarray, truth: np.ndarray, top_fraction: float = 0.05) -> RankingMetrics:
    """Compute every metric of :class:`RankingMetrics`.

    Args:
        scores: Predicted scores, higher is better, shape ``(n,)`` with ``n >= 2``.
        truth: True metrics, higher is better, shape ``(n,)``.
        top_fraction: Share of the set counted as the top by ``precision_top``.

    Raises:
        ConfigError: The arrays differ in length or hold fewer than 2 items.
    """
    scores, truth = np.asarray(scores, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    if scores.shape != truth.shape or scores.ndim != 1 or len(scores) < 2:
        raise ConfigError(
            f"scores have shape {scores.shape} and truths {truth.shape}; both must be 1-D with the "
            "same length of at least 2"
        )
    tau = stats.kendalltau(scores, truth).statistic
    rho = stats.spearmanr(scores, truth).statistic
    return RankingMetrics(
        kendall_tau=float(tau),
        spearman_rho=float(rho),
        precision_top=precision_at_top(scores, truth, top_fraction),
        best_true_rank=true_rank_of_predicted_best(scores, truth),
    )
