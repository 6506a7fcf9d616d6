"""Tests of the ``ecgnas bench`` commands on the real tables."""

import re

import numpy as np
import pytest

from ecgnas.cli.main import main
from ecgnas.nasbench import nb101_hash

RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"


@pytest.fixture
def run(capsys, data_dir, nb_cache, nb201, nb101_20k):
    # The benchmark fixtures fill the session cache, so the commands only read it.
    def invoke(*args):
        status = main([*args, "--data-dir", str(data_dir), "--cache-dir", str(nb_cache)])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return invoke


def test_info_nasbench201(run):
    status, out, _ = run("bench", "info", "nasbench201")
    assert status == 0
    assert "15,625 (8,765 distinct architectures)" in out
    assert "94.373" in out


def test_info_lists_checksums(run, nb201_table):
    _, out, _ = run("bench", "info", "nasbench201")
    for name, digest in nb201_table.source_sha256.items():
        assert re.search(rf"{re.escape(name)} +{digest}", out)


def test_info_subset_says_no_test(run):
    status, out, _ = run("bench", "info", "nasbench101-20k")
    assert status == 0
    assert "none: this mode has no test accuracy" in out
    assert "94.912" in out


def test_query_resnet(run):
    status, out, _ = run("bench", "query", "nasbench201", RESNET, "--dataset", "cifar10")
    assert status == 0
    assert "test accuracy %    93.910" in out


def test_query_short_fidelity(run):
    _, out, _ = run("bench", "query", "nasbench201", RESNET, "--epochs", "12")
    assert "(estimate" in out


def test_query_subset_hash(run, nb101_20k):
    status, out, _ = run("bench", "query", "nasbench101-20k", nb101_20k.subset.hash_of(0))
    assert status == 0
    assert "none (this mode has no test accuracy)" in out


def test_query_architecture_string(run, nb201):
    arch = nb201.space.from_arch_string(RESNET)
    status, out, _ = run("bench", "query", "nasbench201", arch.to_string())
    assert status == 0
    assert "93.910" in out


def test_query_bad_dataset(run):
    status, _, err = run("bench", "query", "nasbench201", RESNET, "--dataset", "svhn")
    assert status == 1
    assert "valid datasets: ['cifar10', 'cifar100', 'ImageNet16-120']" in err


def test_query_unreadable_arch(run):
    status, _, err = run("bench", "query", "nasbench101-20k", "abc")
    assert status == 1
    assert "32-hex hash" in err


def test_full_mode_without_record(run):
    status, _, err = run("bench", "info", "nasbench101-full")
    assert status == 1
    assert "nasbench_only108.tfrecord not found" in err


def test_unknown_mode_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "info", "nasbench301"])
    assert "invalid choice" in capsys.readouterr().err


def test_verify_hashes_reports_match(capsys, data_dir, monkeypatch):
    # The full check takes minutes; check a spread of rows through the same command.
    real_check = nb101_hash.check_cell_hashes

    def sampled(cells, rows=None, workers=1):
        return real_check(cells, np.arange(0, len(cells), 4_000), workers)

    monkeypatch.setattr(nb101_hash, "check_cell_hashes", sampled)
    status = main(["bench", "verify-hashes", "--workers", "1", "--data-dir", str(data_dir)])
    assert status == 0
    assert "all 106 NAS-Bench-101 hashes match" in capsys.readouterr().out


def test_verify_hashes_reports_mismatch(capsys, data_dir, monkeypatch):
    def failing(cells, rows=None, workers=1):
        return nb101_hash.HashCheck(checked=10, mismatched_rows=(3, 7), seconds=0.1)

    monkeypatch.setattr(nb101_hash, "check_cell_hashes", failing)
    status = main(["bench", "verify-hashes", "--data-dir", str(data_dir)])
    assert status == 1
    assert "2 of 10 hashes differ; first rows: 3, 7" in capsys.readouterr().out
