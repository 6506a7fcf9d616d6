"""Record folds of DS1 for cross-validated candidate scoring."""

import numpy as np
import pytest

from ecgnas.data.beatset import BeatSet
from ecgnas.data.folds import fold_splits, record_folds
from ecgnas.data.splits import split_records
from ecgnas.exceptions import ConfigError


def synthetic_beats(labels_per_record: dict[str, list[int]]) -> BeatSet:
    """A beat set whose waveforms are zeros; only labels and record membership matter here."""
    names = tuple(labels_per_record)
    labels = np.concatenate([np.asarray(labels_per_record[name], dtype=np.int64) for name in names])
    index = np.concatenate([np.full(len(labels_per_record[name]), i) for i, name in enumerate(names)])
    n = len(labels)
    return BeatSet(
        fs=360.0,
        waveforms=np.zeros((n, 8), dtype=np.float32),
        rr=np.zeros((n, 9), dtype=np.float32),
        labels=labels,
        positions=np.arange(n),
        record_names=names,
        record_index=index,
        dropped={name: np.zeros(5, dtype=np.int64) for name in names},
        unknown_symbols={name: {} for name in names},
        non_beats={name: 0 for name in names},
    )


@pytest.mark.parametrize("k", [2, 3, 5])
def test_folds_partition_ds1_records(real_beats, k):
    ds1 = real_beats.select(split_records("DS1"))
    folds = record_folds(ds1, k)
    assert len(folds) == k
    names = [name for fold in folds for name in fold]
    assert sorted(names) == sorted(ds1.record_names)
    assert all(fold for fold in folds)


def test_three_folds_share_s_and_v_beats(real_beats):
    ds1 = real_beats.select(split_records("DS1"))
    total = ds1.class_counts()
    for fold in record_folds(ds1, 3):
        counts = ds1.select(fold).class_counts()
        # Each fold contains between a sixth and a half of the S and of the V beats.
        for column in (1, 2):
            assert total[column] / 6 < counts[column] < total[column] / 2, (fold, counts)


def test_folds_do_not_depend_on_record_order():
    labels = {"a": [0] * 50 + [1] * 20, "b": [0] * 40 + [2] * 30, "c": [0] * 60, "d": [0] * 45 + [1] * 5}
    forward = record_folds(synthetic_beats(labels), 2)
    backward = record_folds(synthetic_beats(dict(reversed(labels.items()))), 2)
    assert {frozenset(fold) for fold in forward} == {frozenset(fold) for fold in backward}


def test_rare_class_records_spread_over_folds():
    # Two records hold all S beats and two all V beats: each fold gets one of each.
    labels = {"s1": [1] * 10, "s2": [1] * 10, "v1": [2] * 10, "v2": [2] * 10}
    folds = record_folds(synthetic_beats(labels), 2)
    assert sorted(sorted(fold) for fold in folds) == [["s1", "v1"], ["s2", "v2"]]


def test_fold_splits_hold_each_record_out_once():
    labels = {name: [0] * 10 + [1] * i for i, name in enumerate("abcdef")}
    beats = synthetic_beats(labels)
    splits = fold_splits(beats, 3)
    held_out = [name for _, validation in splits for name in validation.record_names]
    assert sorted(held_out) == list("abcdef")
    for train, validation in splits:
        assert not set(train.record_names) & set(validation.record_names)
        assert len(train) + len(validation) == len(beats)


@pytest.mark.parametrize("k", [1, 0, 5, 2.0, True])
def test_bad_fold_count_names_range(k):
    beats = synthetic_beats({name: [0, 1] for name in "abcd"})
    with pytest.raises(ConfigError, match="record folds must be an integer from 2 to 4"):
        record_folds(beats, k)
