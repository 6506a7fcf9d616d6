"""Tests of the NAS-Bench-101 space, full and confined to the 20k subset."""

import numpy as np
import pytest

from ecgnas.nasbench.nb101_hash import architecture_hash
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.cell_space import CellSpace
from tests.spaces.contract import SearchSpaceContract


class TestNasBench101Contract(SearchSpaceContract):
    @pytest.fixture
    def space(self, nb101_full_space):
        return nb101_full_space


class TestNasBench101SubsetContract(SearchSpaceContract):
    n_samples = 10

    @pytest.fixture
    def space(self, nb101_20k):
        return nb101_20k.space


def test_table_rows_build_valid_architectures(nb101_cells, nb101_full_space):
    # Rows skip Architecture's own checks; the result must equal a checked build.
    for row in range(0, len(nb101_cells), 2_117):
        fast = nb101_full_space.architecture_of_row(row)
        checked = Architecture(*nb101_cells.cell(row))
        assert (fast.adjacency, fast.operations, fast.global_choices) == (
            checked.adjacency,
            checked.operations,
            checked.global_choices,
        )


def test_row_round_trip(nb101_full_space):
    for row in (0, 77_777, 423_623):
        assert nb101_full_space.row_of(nb101_full_space.architecture_of_row(row)) == row


def test_sample_uniform_over_cells(nb101_cells, nb101_full_space):
    rng = np.random.default_rng(0)
    sizes = [nb101_full_space.sample(rng).n_nodes for _ in range(4_000)]
    # 359,082 of 423,624 cells have 7 nodes: 84.8 %, standard error 0.6 %.
    assert 0.825 < np.mean(np.array(sizes) == 7) < 0.871


def test_full_space_mutations_in_table(nb101_cells, nb101_full_space):
    rng = np.random.default_rng(3)
    arch = nb101_full_space.sample(rng)
    for _ in range(30):
        arch = nb101_full_space.mutate(arch, rng)
        assert nb101_cells.find(architecture_hash(arch)) is not None


def test_subset_samples_in_subset(nb101_20k):
    rng = np.random.default_rng(1)
    for _ in range(50):
        assert nb101_20k.subset.find(architecture_hash(nb101_20k.space.sample(rng))) is not None


def test_subset_walk_stays_in_subset(nb101_20k):
    rng = np.random.default_rng(2)
    arch = nb101_20k.space.sample(rng)
    for _ in range(15):
        child = nb101_20k.space.mutate(arch, rng)
        assert nb101_20k.subset.find(architecture_hash(child)) is not None
        assert child != arch
        arch = child


def test_subset_neighbours_nearest_inside(nb101_20k):
    # Find a subset cell with no subset cell one change away; its neighbours are two away.
    space = nb101_20k.space
    free = CellSpace("free", space.operations, 7, 9)
    rng = np.random.default_rng(4)
    for _ in range(40):
        arch = space.sample(rng)
        one_away = free.neighbours(arch)
        if not any(nb101_20k.subset.find(architecture_hash(n)) is not None for n in one_away):
            break
    else:
        pytest.fail("no subset cell without subset neighbours among 40 samples")
    neighbours = space.neighbours(arch)
    assert neighbours
    assert not set(neighbours) & set(one_away)
    assert space.mutate(arch, rng) in set(neighbours)


def test_subset_rejects_cell_outside(nb101_20k, nb101_full_space):
    outside = next(
        arch
        for arch in (nb101_full_space.sample(seed) for seed in range(100))
        if nb101_20k.subset.find(architecture_hash(arch)) is None
    )
    assert not nb101_20k.space.is_valid(outside)
