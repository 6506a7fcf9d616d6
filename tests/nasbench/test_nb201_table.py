"""Tests of the NAS-Bench-201 table: contents, known values, cache and bad files."""

import gzip
import logging
import os
import shutil

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError, DataNotFoundError
from ecgnas.nasbench import nb201_table
from ecgnas.nasbench.errors import BenchmarkFileError
from ecgnas.nasbench.nb201_table import load_nb201_table, resolve_dataset

RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"

# Maxima of the table (NAS-Bench-201 paper: 91.61/94.37, 73.49/73.51, 46.77/47.31;
# the ImageNet16-120 validation optimum of these NATS-Bench runs is 46.733).
OPTIMA = {
    ("cifar10", "valid"): 91.607,
    ("cifar10", "test"): 94.373,
    ("cifar100", "valid"): 73.493,
    ("cifar100", "test"): 73.513,
    ("ImageNet16-120", "valid"): 46.733,
    ("ImageNet16-120", "test"): 47.311,
}


def test_rows_unique(nb201_table):
    assert len(set(nb201_table.arch_strings.tolist())) == 15_625


def test_every_cell_has_one_row(nb201_table):
    assert sorted(nb201_table.row_of_cell.tolist()) == list(range(15_625))


@pytest.mark.parametrize(("dataset", "split"), list(OPTIMA))
def test_optimum(nb201_table, dataset, split):
    best = nb201_table.column(dataset, f"{split}_acc_200").max()
    assert best == pytest.approx(OPTIMA[dataset, split], abs=5e-4)


def test_resnet_cifar10_test_accuracy(nb201_table):
    row = nb201_table.row_of_string(RESNET)
    assert nb201_table.column("cifar10", "test_acc_200")[row] == pytest.approx(93.91, abs=1e-6)


@pytest.mark.parametrize("dataset", nb201_table.DATASETS)
def test_short_schedule_below_full(nb201_table, dataset):
    short = nb201_table.column(dataset, "valid_acc_12").max()
    assert short < nb201_table.column(dataset, "valid_acc_200").max()


def test_row_of_string_rejects_bad_string(nb201_table):
    with pytest.raises(ConfigError, match="arch string"):
        nb201_table.row_of_string("|nor_conv_3x3~0|")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cifar10", "cifar10"),
        ("CIFAR100", "cifar100"),
        ("imagenet16-120", "ImageNet16-120"),
        ("imagenet16", "ImageNet16-120"),
    ],
)
def test_resolve_dataset(name, expected):
    assert resolve_dataset(name) == expected


def test_resolve_dataset_lists_valid_names():
    with pytest.raises(ConfigError, match="ImageNet16-120"):
        resolve_dataset("imagenet")


def test_check_epochs_lists_valid_values():
    with pytest.raises(ConfigError, match=r"\[200, 12\]"):
        nb201_table.check_epochs(100)


# Cache


@pytest.fixture
def data_copy(tmp_path, nasbench_dir):
    folder = tmp_path / "data" / "nasbench"
    folder.mkdir(parents=True)
    for name in ("nb201_200ep.csv.gz", "nb201_12ep.csv.gz"):
        shutil.copy2(nasbench_dir / name, folder / name)
    return folder.parent


def forbid_parsing(monkeypatch):
    def fail(*_args, **_kwargs):
        raise AssertionError("the CSV files were parsed again")

    monkeypatch.setattr(nb201_table, "read_columns", fail)


def test_cache_reused(data_copy, tmp_path, monkeypatch):
    first = load_nb201_table(data_copy, tmp_path / "cache")
    forbid_parsing(monkeypatch)
    second = load_nb201_table(data_copy, tmp_path / "cache")
    assert np.array_equal(first.column("cifar100", "test_acc_12"), second.column("cifar100", "test_acc_12"))


def test_cache_rebuilt_when_source_changes(data_copy, tmp_path, monkeypatch):
    load_nb201_table(data_copy, tmp_path / "cache")
    source = data_copy / "nasbench" / "nb201_12ep.csv.gz"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    forbid_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed again"):
        load_nb201_table(data_copy, tmp_path / "cache")


def test_corrupt_cache_rebuilt(data_copy, tmp_path, caplog):
    load_nb201_table(data_copy, tmp_path / "cache")
    (tmp_path / "cache" / "nasbench" / "nb201.npz").write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING):
        table = load_nb201_table(data_copy, tmp_path / "cache")
    assert table.n_rows == 15_625
    assert "unreadable" in caplog.text


def test_unwritable_cache_warns(data_copy, tmp_path, caplog):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        table = load_nb201_table(data_copy, blocker)
    assert table.n_rows == 15_625
    assert "cannot write the NAS-Bench cache" in caplog.text


def test_checksums_recorded(nb201_table):
    assert set(nb201_table.source_sha256) == {"nb201_200ep.csv.gz", "nb201_12ep.csv.gz"}


# Bad files


def test_missing_file_names_path(tmp_path):
    (tmp_path / "nasbench").mkdir()
    with pytest.raises(DataNotFoundError, match="nb201_200ep.csv.gz"):
        load_nb201_table(tmp_path, tmp_path / "cache")


def test_truncated_file(data_copy, tmp_path):
    path = data_copy / "nasbench" / "nb201_200ep.csv.gz"
    path.write_bytes(path.read_bytes()[:50_000])
    with pytest.raises(BenchmarkFileError, match="corrupt or truncated"):
        load_nb201_table(data_copy, tmp_path / "cache")


def test_missing_rows(data_copy, tmp_path):
    path = data_copy / "nasbench" / "nb201_200ep.csv.gz"
    with gzip.open(path, "rt") as handle:
        lines = handle.read().splitlines()
    with gzip.open(path, "wt", compresslevel=1) as handle:
        handle.write("\n".join(lines[:-10]) + "\n")
    with pytest.raises(BenchmarkFileError, match="15615 rows"):
        load_nb201_table(data_copy, tmp_path / "cache")
