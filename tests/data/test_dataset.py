"""PyTorch datasets, normalisation fitted on training beats, class balance."""

import numpy as np
import pytest
import torch

from ecgnas.data.dataset import (
    BeatDataset,
    MissingClassWarning,
    Normalizer,
    class_weights,
    make_loader,
)
from ecgnas.data.splits import SPLITS
from ecgnas.exceptions import ConfigError


@pytest.fixture(scope="module")
def train_beats(real_beats):
    return real_beats.select(SPLITS["search-train"])


@pytest.fixture(scope="module")
def normalizer(train_beats):
    return Normalizer.fit(train_beats)


def test_normalizer_standardises_training_split(train_beats, normalizer):
    waveforms = normalizer.waveforms(train_beats.waveforms)
    rr = normalizer.rr(train_beats.rr)
    assert abs(float(waveforms.mean())) < 1e-3
    assert abs(float(waveforms.std()) - 1.0) < 1e-3
    np.testing.assert_allclose(rr[:, :4].mean(axis=0), 0.0, atol=1e-3)


def test_normalizer_ignores_validation_split(real_beats, train_beats, normalizer):
    validation = real_beats.select(SPLITS["search-validation"])
    refitted = Normalizer.fit(validation)
    assert refitted.waveform_std != normalizer.waveform_std
    assert Normalizer.fit(train_beats) == normalizer


def test_dataset_item_shapes(train_beats, normalizer):
    waveform, rr, label = BeatDataset(train_beats, normalizer)[0]
    assert waveform.shape == (1, 252)
    assert rr.shape == (9,)
    assert label.dtype == torch.int64


def test_loader_batches(train_beats, normalizer):
    waveforms, rr, labels = next(iter(make_loader(train_beats, normalizer, batch_size=64)))
    assert waveforms.shape == (64, 1, 252)
    assert rr.shape == (64, 9)
    assert labels.shape == (64,)


def test_balanced_loader_evens_classes(train_beats, normalizer):
    loader = make_loader(train_beats, normalizer, batch_size=4096, balanced=True, seed=0)
    labels = next(iter(loader))[2].numpy()
    shares = np.bincount(labels, minlength=5) / len(labels)
    # Five present classes, each drawn with probability 1/5.
    np.testing.assert_allclose(shares, 0.2, atol=0.03)


def test_balanced_loader_seeded(train_beats, normalizer):
    first = next(iter(make_loader(train_beats, normalizer, 256, balanced=True, seed=3)))[2]
    second = next(iter(make_loader(train_beats, normalizer, 256, balanced=True, seed=3)))[2]
    other = next(iter(make_loader(train_beats, normalizer, 256, balanced=True, seed=4)))[2]
    assert torch.equal(first, second)
    assert not torch.equal(first, other)


def test_class_weights_inverse_frequency():
    labels = np.array([0, 0, 0, 1, 2, 2, 3, 4])
    weights = class_weights(labels)
    assert weights[0] * 3 == pytest.approx(weights[1])
    assert weights[2] * 2 == pytest.approx(weights[1])
    assert weights[labels].mean() == pytest.approx(1.0)


@pytest.mark.parametrize("power", [0.0, 0.5, 2.0])
def test_class_weights_power(power):
    labels = np.array([0, 0, 0, 0, 1, 2, 2, 3, 4])
    weights = class_weights(labels, power=power)
    # Class 0 has 4 beats and class 1 has 1, so their weights differ by a factor of 4 ** power.
    assert weights[1] / weights[0] == pytest.approx(4**power)
    assert weights[labels].mean() == pytest.approx(1.0)


def test_class_weights_power_one_is_default():
    labels = np.array([0, 0, 0, 1, 2, 2, 3, 4])
    np.testing.assert_array_equal(class_weights(labels, power=1.0), class_weights(labels))


def test_class_weights_missing_class_warns():
    with pytest.warns(MissingClassWarning, match=r"\['Q'\]"):
        weights = class_weights(np.array([0, 1, 2, 3]))
    assert weights[4] == 0.0


def test_zero_batch_size_rejected(train_beats, normalizer):
    with pytest.raises(ConfigError, match="batch_size must be at least 1, got 0"):
        make_loader(train_beats, normalizer, batch_size=0)
