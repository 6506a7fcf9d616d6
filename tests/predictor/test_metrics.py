"""Tests of the ranking metrics against naive reimplementations."""

import itertools

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.predictor.metrics import precision_at_top, ranking_metrics, true_rank_of_predicted_best


def naive_kendall(scores, truth):
    """Kendall's tau-a by counting pairs; equals tau-b when nothing is tied."""
    total = 0
    for i, j in itertools.combinations(range(len(scores)), 2):
        total += np.sign(scores[i] - scores[j]) * np.sign(truth[i] - truth[j])
    return total / (len(scores) * (len(scores) - 1) / 2)


def test_kendall_matches_pair_count():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=60)
    scores = truth + rng.normal(scale=0.8, size=60)
    assert ranking_metrics(scores, truth).kendall_tau == pytest.approx(naive_kendall(scores, truth))


def test_spearman_matches_rank_correlation():
    rng = np.random.default_rng(1)
    truth, scores = rng.normal(size=50), rng.normal(size=50)
    ranks = [np.argsort(np.argsort(values)) for values in (scores, truth)]
    expected = np.corrcoef(*ranks)[0, 1]
    assert ranking_metrics(scores, truth).spearman_rho == pytest.approx(expected)


def test_precision_counts_overlap():
    truth = np.arange(40.0)  # the top 5 % of 40 is 2 items: 39 and 38
    scores = truth.copy()
    scores[38] = -1.0  # item 38 drops out of the predicted top 2, item 37 enters
    assert precision_at_top(scores, truth, 0.05) == pytest.approx(0.5)


def test_precision_rejects_bad_fraction():
    with pytest.raises(ConfigError, match="top fraction"):
        precision_at_top(np.zeros(3), np.zeros(3), 0.0)


def test_true_rank_of_best():
    truth = np.array([5.0, 9.0, 7.0, 9.5])
    scores = np.array([0.0, 0.1, 3.0, 0.2])  # predicts item 2, truly third best
    assert true_rank_of_predicted_best(scores, truth) == 3


def test_metrics_reject_length_mismatch():
    with pytest.raises(ConfigError, match="same length"):
        ranking_metrics(np.zeros(3), np.zeros(4))
