"""N-beat subsampling and beat-level selection of a BeatSet."""

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.training.subsample import subsample_normal, take_beats


def test_subsample_keeps_other_classes(search_train):
    subset = subsample_normal(search_train, 0.1, np.random.default_rng(0))
    np.testing.assert_array_equal(subset.class_counts()[1:], search_train.class_counts()[1:])


def test_subsample_keeps_share_of_normal(search_train):
    subset = subsample_normal(search_train, 0.1, np.random.default_rng(0))
    assert subset.class_counts()[0] == round(0.1 * search_train.class_counts()[0])


def test_subsample_same_seed_same_beats(search_train):
    first = subsample_normal(search_train, 0.2, np.random.default_rng(5))
    second = subsample_normal(search_train, 0.2, np.random.default_rng(5))
    np.testing.assert_array_equal(first.positions, second.positions)


def test_subsample_other_seed_other_beats(search_train):
    first = subsample_normal(search_train, 0.2, np.random.default_rng(5))
    second = subsample_normal(search_train, 0.2, np.random.default_rng(6))
    assert not np.array_equal(first.positions, second.positions)


def test_subsample_full_fraction_is_identity(search_train):
    assert subsample_normal(search_train, 1.0, np.random.default_rng(0)) is search_train


def test_subsample_bad_fraction_rejected(search_train):
    with pytest.raises(ConfigError, match="1.5"):
        subsample_normal(search_train, 1.5, np.random.default_rng(0))


def test_take_beats_keeps_record_names(search_train):
    mask = np.zeros(len(search_train), dtype=bool)
    mask[:10] = True
    subset = take_beats(search_train, mask)
    assert subset.record_names == search_train.record_names
    np.testing.assert_array_equal(subset.waveforms, search_train.waveforms[:10])


def test_take_beats_bad_mask_rejected(search_train):
    with pytest.raises(ConfigError, match="boolean"):
        take_beats(search_train, np.arange(len(search_train)))
