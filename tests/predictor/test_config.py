"""Every configuration value changes something: scores after fitting, or pre-trained weights."""

import dataclasses

import numpy as np
import pytest
import torch

from ecgnas.exceptions import ConfigError
from ecgnas.predictor import GnnPredictor, pretrain_encoder
from ecgnas.predictor.config import (
    EncoderConfig,
    FinetuneConfig,
    PredictorConfig,
    PretrainConfig,
    resolve_device,
)
from tests.predictor.conftest import SMALL_ENCODER, SMALL_PRETRAIN, small_config

# One changed value per field; a field missing here fails test_every_field_listed.
ENCODER_CHANGES = {
    "hidden": 24,
    "layers": 3,
    "bidirectional": False,
    "pooling": "mean",
    "dropout": 0.3,
    "embedding": 8,
}
FINETUNE_CHANGES = {
    "loss": "pairwise",
    "epochs": 30,
    "learning_rate": 1e-2,
    "encoder_lr_scale": 1.0,
    "weight_decay": 0.1,
    "temperature": 3.0,
    "head_hidden": 8,
    "ensemble": 2,
}
PRETRAIN_CHANGES = {
    "n_archs": 150,
    "epochs": 2,
    "batch_size": 40,
    "temperature": 0.5,
    "n_neighbours": 5,
    "relabel_positive": False,
    "projection": 8,
    "learning_rate": 3e-3,
    "seed": 1,
}
PREDICTOR_CHANGES = {"seed": 5, "device": "see test_device_resolution"}


@pytest.mark.parametrize(
    ("config_class", "changes"),
    [
        (EncoderConfig, ENCODER_CHANGES),
        (FinetuneConfig, FINETUNE_CHANGES),
        (PretrainConfig, PRETRAIN_CHANGES),
        (PredictorConfig, {**PREDICTOR_CHANGES, "encoder": 1, "pretrain": 1, "finetune": 1}),
    ],
)
def test_every_field_listed(config_class, changes):
    assert {field.name for field in dataclasses.fields(config_class)} == set(changes)


def fitted_scores(space, labelled, config: PredictorConfig) -> np.ndarray:
    predictor = GnnPredictor(space, config).fit(labelled[:30])
    return predictor.score([arch for arch, _ in labelled[30:80]])


@pytest.fixture(scope="module")
def baseline_scores(space, labelled):
    return fitted_scores(space, labelled, small_config().replace(pretrain=None))


@pytest.mark.parametrize("name", sorted(ENCODER_CHANGES))
def test_encoder_field_changes_scores(space, labelled, baseline_scores, name):
    encoder = dataclasses.replace(SMALL_ENCODER, **{name: ENCODER_CHANGES[name]})
    scores = fitted_scores(space, labelled, small_config().replace(pretrain=None, encoder=encoder))
    assert not np.allclose(scores, baseline_scores)


@pytest.mark.parametrize("name", sorted(FINETUNE_CHANGES))
def test_finetune_field_changes_scores(space, labelled, baseline_scores, name):
    config = small_config().replace(pretrain=None)
    finetune = dataclasses.replace(config.finetune, **{name: FINETUNE_CHANGES[name]})
    scores = fitted_scores(space, labelled, config.replace(finetune=finetune))
    assert not np.allclose(scores, baseline_scores)


def test_seed_changes_scores(space, labelled, baseline_scores):
    scores = fitted_scores(space, labelled, small_config().replace(pretrain=None, seed=5))
    assert not np.allclose(scores, baseline_scores)


@pytest.mark.parametrize("name", sorted(PRETRAIN_CHANGES))
def test_pretrain_field_changes_weights(space, encoder, name):
    changed = dataclasses.replace(SMALL_PRETRAIN, **{name: PRETRAIN_CHANGES[name]})
    result = pretrain_encoder(space, SMALL_ENCODER, changed, device="cpu")
    assert any(not torch.equal(result.state[key], encoder.state[key]) for key in encoder.state)


def test_pretrained_start_changes_scores(space, labelled, encoder, baseline_scores):
    scores = GnnPredictor(space, small_config(), encoder=encoder).fit(labelled[:30])
    assert not np.allclose(scores.score([arch for arch, _ in labelled[30:80]]), baseline_scores)


def test_device_resolution(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        resolve_device("cuda")


@pytest.mark.parametrize(
    ("config_class", "changes"),
    [
        (EncoderConfig, {"pooling": "median"}),
        (EncoderConfig, {"dropout": 1.0}),
        (EncoderConfig, {"layers": 0}),
        (FinetuneConfig, {"loss": "hinge"}),
        (FinetuneConfig, {"weight_decay": -1.0}),
        (PretrainConfig, {"batch_size": 1}),
        (PretrainConfig, {"temperature": 0.0}),
    ],
)
def test_invalid_value_rejected(config_class, changes):
    with pytest.raises(ConfigError, match=next(iter(changes))):
        config_class(**changes)
