"""Tests of the nasbench101-20k mode: rows, fidelities, no test accuracy, errors."""

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench.errors import NotInBenchmarkError
from ecgnas.nasbench.nb101_hash import architecture_hash
from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError


def test_subset_size(nb101_20k):
    assert len(nb101_20k.subset) == 20_001


def test_subset_in_cell_table(nb101_20k, nb101_cells):
    assert np.array_equal(nb101_cells.hashes[nb101_20k.subset.cell_rows], nb101_20k.subset.hashes)


def test_best_validation_accuracy(nb101_20k):
    assert nb101_20k.subset.valid_accuracy[:, -1].max() == pytest.approx(94.91, abs=5e-3)


def test_no_test_metric(nb101_20k):
    result = nb101_20k.query(nb101_20k.space.sample(0))
    assert result.test_metric is None
    assert not nb101_20k.has_test_metric


def test_query_row_values(nb101_20k):
    row = 123
    arch = nb101_20k.space.architecture_of_row(int(nb101_20k.subset.cell_rows[row]))
    result = nb101_20k.query(arch)
    assert result.metric == nb101_20k.subset.valid_accuracy[row, 3]
    assert result.cost_s == nb101_20k.subset.train_time_s[row]
    assert result.key == nb101_20k.subset.hash_of(row)
    assert result.benchmark == "nasbench101-20k"


@pytest.mark.parametrize(("epochs", "column"), [(4, 0), (12, 1), (36, 2)])
def test_cheaper_fidelity(nb101_20k, epochs, column):
    arch = nb101_20k.space.sample(5)
    row = nb101_20k.subset.row_of(architecture_hash(arch))
    result = nb101_20k.query(arch, epochs)
    assert result.metric == nb101_20k.subset.valid_accuracy[row, column]
    assert result.cost_s == pytest.approx(nb101_20k.subset.train_time_s[row] * epochs / 108)
    assert result.cost_is_estimate


def test_bad_epochs_listed(nb101_20k):
    with pytest.raises(ConfigError, match=r"\[4, 12, 36, 108\]"):
        nb101_20k.query(nb101_20k.space.sample(0), 200)


def test_cell_outside_subset(nb101_20k, nb101_full_space):
    outside = next(
        arch
        for arch in (nb101_full_space.sample(seed) for seed in range(100))
        if nb101_20k.subset.find(architecture_hash(arch)) is None
    )
    with pytest.raises(NotInBenchmarkError, match="not in the 20k subset"):
        nb101_20k.query(outside)


def test_foreign_operation(nb101_20k):
    arch = Architecture(np.eye(3, k=1, dtype=int), ["input", "conv5x5", "output"])
    with pytest.raises(InvalidArchitectureError, match="conv5x5"):
        nb101_20k.query(arch)


def test_global_choice_rejected(nb101_20k):
    arch = nb101_20k.space.sample(0).with_choices(width=16)
    with pytest.raises(InvalidArchitectureError, match="width"):
        nb101_20k.query(arch)


def test_summary_says_no_test(nb101_20k):
    summary = nb101_20k.summary()
    assert summary["test_metric"].startswith("none")
    assert summary["optima"]["valid@108"]["accuracy"] == pytest.approx(94.91, abs=5e-3)
    assert set(summary["files"]) == {"nb101_cells_all.npz", "nb101_subset20k_valid.csv.gz"}
