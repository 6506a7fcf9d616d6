"""Tests of the pre-training and fine-tuning losses."""

import itertools
import math

import pytest
import torch

from ecgnas.predictor import GnnPredictor, PathMlpPredictor
from ecgnas.predictor.config import LOSSES
from ecgnas.predictor.losses import contrastive_ranking, info_nce, listnet, pairwise_logistic
from tests.predictor.conftest import small_config


def test_pairwise_matches_loop():
    scores = torch.tensor([0.3, -1.0, 2.0, 0.5])
    targets = torch.tensor([1.0, 2.0, 0.0, 1.0])
    terms = [
        math.log1p(math.exp(-(scores[i] - scores[j]).item()))
        for i, j in itertools.permutations(range(4), 2)
        if targets[i] > targets[j]
    ]
    assert pairwise_logistic(scores, targets).item() == pytest.approx(sum(terms) / len(terms), rel=1e-5)


def test_contrastive_ranking_matches_plackett_luce():
    scores = torch.tensor([0.2, 1.5, -0.3])
    targets = torch.tensor([2.0, 1.0, 3.0])  # true order: 2, 0, 1
    ranked = [scores[2].item(), scores[0].item(), scores[1].item()]
    terms = [-ranked[i] + math.log(sum(math.exp(s) for s in ranked[i:])) for i in range(2)]
    assert contrastive_ranking(scores, targets).item() == pytest.approx(sum(terms) / 2, rel=1e-5)


def test_listnet_minimal_at_matching_order():
    targets = torch.tensor([0.0, 1.0, 2.0, 3.0])
    standardised = (targets - targets.mean()) / targets.std(unbiased=False)
    assert listnet(standardised, targets) < listnet(-standardised, targets)


def test_info_nce_lower_for_aligned_positives():
    positives = torch.tensor([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=torch.bool)
    aligned = torch.tensor([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0]])
    crossed = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.1], [0.1, 1.0]])
    assert info_nce(aligned, positives, 0.1) < info_nce(crossed, positives, 0.1)


def test_info_nce_decreases_in_pretraining(encoder):
    assert encoder.losses[-1] < encoder.losses[0]


def loss_floor(loss: str, metrics: list[float]) -> float:
    """Lowest value of a loss: 0, except ListNet, whose minimum is the target entropy."""
    if loss != "listnet":
        return 0.0
    targets = torch.tensor(metrics)
    return listnet((targets - targets.mean()) / targets.std(unbiased=False), targets).item()


@pytest.mark.parametrize("loss", LOSSES)
def test_finetune_loss_decreases(space, labelled, loss):
    predictor = GnnPredictor(space, small_config(loss=loss).replace(pretrain=None)).fit(labelled[:40])
    floor = loss_floor(loss, [metric for _, metric in labelled[:40]])
    excess = [value - floor for value in predictor.losses_[0]]
    assert sum(excess[-5:]) / 5 < 0.8 * sum(excess[:5]) / 5


def test_path_mlp_loss_decreases(space, labelled):
    predictor = PathMlpPredictor(space, small_config(loss="mse").replace(pretrain=None)).fit(labelled[:40])
    history = predictor.losses_[0]
    assert sum(history[-5:]) / 5 < 0.7 * sum(history[:5]) / 5
