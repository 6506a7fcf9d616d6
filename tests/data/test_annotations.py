"""AAMI class totals over the real MIT-BIH annotations, against published figures."""

from collections import Counter

import pytest
import wfdb

from ecgnas.data.aami import AAMI_CLASSES, NON_BEAT_SYMBOLS, SYMBOL_TO_CLASS
from ecgnas.data.download import MITDB_RECORDS
from ecgnas.data.splits import SPLITS


@pytest.fixture(scope="module")
def symbol_counts(mitdb_dir) -> dict[str, Counter]:
    """Annotation symbol counts of every record, read straight from the .atr files."""
    return {name: Counter(wfdb.rdann(str(mitdb_dir / name), "atr").symbol) for name in MITDB_RECORDS}


def aami_counts(symbol_counts: dict[str, Counter], records) -> dict[str, int]:
    totals = dict.fromkeys(AAMI_CLASSES, 0)
    for record in records:
        for symbol, count in symbol_counts[record].items():
            if symbol in SYMBOL_TO_CLASS:
                totals[SYMBOL_TO_CLASS[symbol]] += count
    return totals


def test_record_list_matches_database(mitdb_dir):
    listed = (mitdb_dir / "RECORDS").read_text().split()
    assert tuple(listed) == MITDB_RECORDS


def test_aami_totals_all_records(symbol_counts):
    totals = aami_counts(symbol_counts, MITDB_RECORDS)
    assert totals == {"N": 90_631, "S": 2_781, "V": 7_236, "F": 803, "Q": 8_043}
    assert sum(totals.values()) == 109_494


def test_every_symbol_known(symbol_counts):
    seen = set().union(*symbol_counts.values())
    unknown = seen - set(SYMBOL_TO_CLASS) - NON_BEAT_SYMBOLS
    assert unknown == set()


def test_split_totals_match_de_chazal(symbol_counts):
    # de Chazal et al. (2004), Table II, count the annotations of each split before
    # any beat is dropped at a record edge; the annotations give the same numbers.
    assert aami_counts(symbol_counts, SPLITS["DS1"]) == {"N": 45_866, "S": 944, "V": 3_788, "F": 415, "Q": 8}
    assert aami_counts(symbol_counts, SPLITS["DS2"]) == {
        "N": 44_259,
        "S": 1_837,
        "V": 3_221,
        "F": 388,
        "Q": 7,
    }


def test_segmented_plus_dropped_equal_annotations(real_beats, symbol_counts):
    for split in ("DS1", "DS2"):
        part = real_beats.select(SPLITS[split])
        expected = aami_counts(symbol_counts, SPLITS[split])
        kept_and_dropped = part.class_counts() + part.dropped_counts()
        assert dict(zip(AAMI_CLASSES, kept_and_dropped.tolist(), strict=True)) == expected
