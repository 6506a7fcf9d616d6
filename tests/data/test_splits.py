"""The declared record splits."""

import pytest

from ecgnas.data.splits import SPLITS, split_records
from ecgnas.exceptions import ConfigError


def test_ds1_ds2_paced_disjoint():
    ds1, ds2, paced = set(SPLITS["DS1"]), set(SPLITS["DS2"]), set(SPLITS["paced"])
    assert len(ds1) == 22
    assert len(ds2) == 22
    assert not ds1 & ds2
    assert not (ds1 | ds2) & paced


def test_search_split_partitions_ds1():
    train, validation = set(SPLITS["search-train"]), set(SPLITS["search-validation"])
    assert not train & validation
    assert train | validation == set(SPLITS["DS1"])


def test_search_split_has_s_and_v_in_both_parts(real_beats):
    for split in ("search-train", "search-validation"):
        counts = real_beats.select(SPLITS[split]).class_counts()
        assert counts[1] > 100, f"too few S beats in {split}"
        assert counts[2] > 100, f"too few V beats in {split}"


def test_unknown_split_names_choices():
    with pytest.raises(ConfigError, match="unknown split 'DS3'.*DS1"):
        split_records("DS3")
