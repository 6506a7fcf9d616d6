"""Session fixtures: the real NAS-Bench tables, loaded once, cached in a temporary folder."""

import pytest

from ecgnas.nasbench.nb101_benchmark import NasBench101SubsetBenchmark
from ecgnas.nasbench.nb101_cells import load_nb101_cells
from ecgnas.nasbench.nb201_benchmark import NasBench201Benchmark
from ecgnas.nasbench.nb201_table import load_nb201_table
from ecgnas.spaces.nasbench101 import NasBench101Space
from ecgnas.spaces.nasbench201 import NasBench201Space


@pytest.fixture(scope="session")
def data_dir(nasbench_dir):
    return nasbench_dir.parent


@pytest.fixture(scope="session")
def nb_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("nasbench-cache")


@pytest.fixture(scope="session")
def nb201_table(data_dir, nb_cache):
    return load_nb201_table(data_dir, nb_cache)


@pytest.fixture(scope="session")
def nb201_space(nb_cache):
    return NasBench201Space(nb_cache)


@pytest.fixture(scope="session")
def nb201(nb201_table, nb201_space):
    return NasBench201Benchmark("cifar10", table=nb201_table, space=nb201_space)


@pytest.fixture(scope="session")
def nb101_cells(data_dir):
    return load_nb101_cells(data_dir)


@pytest.fixture(scope="session")
def nb101_20k(data_dir, nb_cache, nb101_cells):
    return NasBench101SubsetBenchmark(data_dir, nb_cache, cells=nb101_cells)


@pytest.fixture(scope="session")
def nb101_full_space(nb101_cells):
    return NasBench101Space(nb101_cells)
