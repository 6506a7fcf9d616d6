"""Tests of the GNN and path-MLP predictors on the small synthetic space."""

import numpy as np
import pytest
import torch

from ecgnas.exceptions import ConfigError
from ecgnas.predictor import GnnPredictor, PathMlpPredictor, build_predictor, parse_variant, ranking_metrics
from ecgnas.predictor.config import PredictorConfig
from tests.predictor.conftest import small_config
from tests.spaces.contract import random_relabelling


@pytest.fixture(scope="module")
def fitted(space, labelled, encoder):
    return GnnPredictor(space, small_config(), encoder=encoder).fit(labelled[:60])


def test_scores_invariant_under_relabelling(fitted, labelled):
    rng = np.random.default_rng(0)
    archs = [arch for arch, _ in labelled[60:120] if arch.n_nodes > 3]
    relabelled = [random_relabelling(arch, rng) for arch in archs]
    assert any(a.to_string() != b.to_string() for a, b in zip(archs, relabelled, strict=True))
    assert np.allclose(fitted.score(archs), fitted.score(relabelled), atol=1e-5)


def test_ranks_held_out_synthetic_set(fitted, labelled):
    held_out = labelled[60:]
    scores = fitted.score([arch for arch, _ in held_out])
    assert ranking_metrics(scores, np.array([metric for _, metric in held_out])).kendall_tau > 0.5


def test_prob_better_follows_scores(fitted, labelled):
    first, second = labelled[70][0], labelled[71][0]
    high_first = fitted.score([first])[0] > fitted.score([second])[0]
    assert (fitted.prob_better(first, second) > 0.5) == high_first
    assert fitted.prob_better(first, second) + fitted.prob_better(second, first) == pytest.approx(1.0)


def test_fit_is_deterministic(space, labelled, encoder):
    archs = [arch for arch, _ in labelled[100:140]]
    runs = [
        GnnPredictor(space, small_config(), encoder=encoder).fit(labelled[:30]).score(archs) for _ in range(2)
    ]
    assert np.array_equal(runs[0], runs[1])


def test_fit_leaves_global_rng_alone(space, labelled):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    GnnPredictor(space, small_config().replace(pretrain=None)).fit(labelled[:20])
    assert torch.equal(torch.rand(3), expected)


def test_score_before_fit_fails(space, labelled):
    with pytest.raises(ConfigError, match="not fitted"):
        GnnPredictor(space, small_config().replace(pretrain=None)).score([labelled[0][0]])


def test_fit_rejects_single_label(space, labelled):
    with pytest.raises(ConfigError, match="at least 2"):
        GnnPredictor(space, small_config().replace(pretrain=None)).fit(labelled[:1])


def test_fit_rejects_equal_labels(space, labelled):
    same = [(arch, 1.0) for arch, _ in labelled[:5]]
    with pytest.raises(ConfigError, match="equal"):
        GnnPredictor(space, small_config().replace(pretrain=None)).fit(same)


def test_fit_rejects_nan_label(space, labelled):
    broken = [*labelled[:4], (labelled[4][0], float("nan"))]
    with pytest.raises(ConfigError, match="not finite"):
        GnnPredictor(space, small_config().replace(pretrain=None)).fit(broken)


def test_path_mlp_rejects_pretraining(space):
    with pytest.raises(ConfigError, match="pretrain"):
        PathMlpPredictor(space, small_config())


def test_invalid_device_rejected():
    with pytest.raises(ConfigError, match="device"):
        PredictorConfig(device="tpu")


def test_unknown_variant_rejected():
    with pytest.raises(ConfigError, match="unknown"):
        parse_variant("gnn-magic")


@pytest.mark.parametrize("name", ["dual-contrastive", "gnn-rank", "gnn-mse", "pretrain-mse", "path-mlp"])
def test_every_variant_ranks(space, labelled, encoder, name):
    predictor = build_predictor(parse_variant(name), space, small_config(), encoder=encoder)
    predictor.fit(labelled[:60])
    held_out = labelled[60:]
    scores = predictor.score([arch for arch, _ in held_out])
    assert ranking_metrics(scores, np.array([metric for _, metric in held_out])).kendall_tau > 0.3


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_matches_cpu_order(space, labelled):
    archs = [arch for arch, _ in labelled[60:]]
    cpu = GnnPredictor(space, small_config().replace(pretrain=None)).fit(labelled[:60]).score(archs)
    gpu = (
        GnnPredictor(space, small_config().replace(pretrain=None, device="cuda"))
        .fit(labelled[:60])
        .score(archs)
    )
    assert ranking_metrics(cpu, gpu).kendall_tau > 0.9
