"""Tests of NAS-Bench-201 queries: rows, fidelities, costs and errors."""

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench import nb201_cell
from ecgnas.nasbench.nb201_benchmark import NasBench201Benchmark
from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError

RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"


def test_resnet_query(nb201):
    result = nb201.query(nb201.space.from_arch_string(RESNET))
    assert result.test_metric == pytest.approx(93.91, abs=1e-6)
    assert result.metric == pytest.approx(90.86, abs=5e-3)


def test_result_labels(nb201):
    result = nb201.query(nb201.space.from_arch_string(RESNET))
    assert result.benchmark == "nasbench201/cifar10"
    assert result.key == RESNET
    assert result.epochs == 200


def test_full_cost_is_training_time(nb201, nb201_table):
    result = nb201.query_string(RESNET)
    row = nb201_table.row_of_string(RESNET)
    assert result.cost_s == nb201_table.column("cifar10", "train_time_s")[row]
    assert not result.cost_is_estimate


def test_short_fidelity(nb201, nb201_table):
    result = nb201.query_string(RESNET, epochs=12)
    row = nb201_table.row_of_string(RESNET)
    assert result.metric == nb201_table.column("cifar10", "valid_acc_12")[row]
    assert result.cost_s == pytest.approx(nb201_table.column("cifar10", "train_time_s")[row] * 12 / 200)
    assert result.cost_is_estimate


def test_bad_epochs(nb201):
    with pytest.raises(ConfigError, match=r"valid values: \[200, 12\]"):
        nb201.query_string(RESNET, epochs=36)


def test_architecture_gets_representative_row(nb201):
    member = (3, 2, 0, 1, 4, 3)
    arch = nb201.space.architecture_of(member)
    representative = nb201.space.representative(arch)
    assert representative != member
    assert nb201.query(arch).key == nb201_cell.format_arch_string(representative)


def test_string_gets_its_own_row(nb201):
    text = nb201_cell.format_arch_string((3, 2, 0, 1, 4, 3))
    assert nb201.query_string(text).key == text


def test_foreign_architecture_rejected(nb201):
    chain = Architecture(np.eye(6, k=1, dtype=int), ["input", *["nor_conv_3x3"] * 4, "output"])
    with pytest.raises(InvalidArchitectureError, match="not a NAS-Bench-201 cell"):
        nb201.query(chain)


@pytest.mark.parametrize(
    ("dataset", "best_test"), [("cifar10", 94.373), ("cifar100", 73.513), ("ImageNet16-120", 47.311)]
)
def test_optimum_reachable_by_search(nb201_table, nb201_space, dataset, best_test):
    # The best cells are alone in their classes, so querying architectures reaches them.
    benchmark = NasBench201Benchmark(dataset, table=nb201_table, space=nb201_space)
    rows = nb201_table.row_of_cell[nb201_space.representative_cell_indices()]
    assert benchmark.table.column(dataset, "test_acc_200")[rows].max() == pytest.approx(best_test, abs=5e-4)


def test_other_dataset_query(nb201_table, nb201_space):
    benchmark = NasBench201Benchmark("cifar100", table=nb201_table, space=nb201_space)
    result = benchmark.query_string(RESNET)
    assert result.test_metric == pytest.approx(70.89, abs=5e-3)
    assert result.benchmark == "nasbench201/cifar100"


def test_summary(nb201):
    summary = nb201.summary()
    assert summary["cells"] == 15_625
    assert summary["architectures"] == 8_765
    assert summary["optima"]["cifar10/test@200"]["accuracy"] == pytest.approx(94.373, abs=5e-4)
    assert set(summary["files"]) == {"nb201_200ep.csv.gz", "nb201_12ep.csv.gz"}
