"""Tests of reading gzip CSV tables into checked columns."""

import gzip

import numpy as np
import pytest

from ecgnas.nasbench.csv_tables import as_numbers, read_columns
from ecgnas.nasbench.errors import BenchmarkFileError


def write_table(path, text):
    with gzip.open(path, "wt") as handle:
        handle.write(text)
    return path


def test_columns_by_name(tmp_path):
    path = write_table(tmp_path / "t.csv.gz", "a,b\n1,x\n2,y\n")
    assert read_columns(path, ["b"]) == {"a": ["1", "2"], "b": ["x", "y"]}


def test_missing_column_named(tmp_path):
    path = write_table(tmp_path / "t.csv.gz", "a,b\n1,2\n")
    with pytest.raises(BenchmarkFileError, match=r"\['c'\]"):
        read_columns(path, ["a", "c"])


def test_ragged_row_named(tmp_path):
    path = write_table(tmp_path / "t.csv.gz", "a,b\n1,2\n3\n")
    with pytest.raises(BenchmarkFileError, match="line 3 has 1 cells"):
        read_columns(path, ["a"])


def test_not_gzip(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(BenchmarkFileError, match="corrupt or truncated"):
        read_columns(path, ["a"])


def test_empty_file(tmp_path):
    path = write_table(tmp_path / "t.csv.gz", "")
    with pytest.raises(BenchmarkFileError, match="empty"):
        read_columns(path, ["a"])


def test_numbers_parsed(tmp_path):
    values = as_numbers(tmp_path, "a", ["1.5", "2", "-3e2"])
    assert np.array_equal(values, [1.5, 2.0, -300.0])


def test_numbers_as_integers(tmp_path):
    assert as_numbers(tmp_path, "a", ["8555530"], dtype=np.int64).tolist() == [8555530]


def test_non_number_named(tmp_path):
    with pytest.raises(BenchmarkFileError, match="'n/a'"):
        as_numbers(tmp_path, "a", ["1", "n/a"])


def test_nan_rejected(tmp_path):
    with pytest.raises(BenchmarkFileError, match="finite"):
        as_numbers(tmp_path, "a", ["1", "nan"])
