"""Tests of the generic cell space."""

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.spaces import Architecture, CellSpace, GlobalChoice
from tests.spaces.contract import SearchSpaceContract

OPERATIONS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


def small_space() -> CellSpace:
    return CellSpace("small", OPERATIONS, max_nodes=7, max_edges=9)


class TestCellSpaceContract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return small_space()


class TestCellSpaceWithChoicesContract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        choices = (GlobalChoice("width", (8, 16, 32)), GlobalChoice("pool", ("max", "avg")))
        return CellSpace("choices", ["a", "b"], max_nodes=5, max_edges=6, global_choices=choices)


def diamond() -> Architecture:
    matrix = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
    return Architecture(matrix, ["input", OPERATIONS[0], OPERATIONS[2], "output"])


def test_sample_respects_edge_limit():
    space = CellSpace("tight", OPERATIONS, max_nodes=7, max_edges=3)
    rng = np.random.default_rng(0)
    assert all(space.sample(rng).n_edges <= 3 for _ in range(50))


def test_sample_returns_pruned():
    space = small_space()
    rng = np.random.default_rng(0)
    assert all(space.sample(rng).is_pruned for _ in range(50))


def test_mutate_can_grow_cell():
    space = small_space()
    rng = np.random.default_rng(0)
    sizes = {space.mutate(diamond(), rng).n_nodes for _ in range(200)}
    assert 5 in sizes


def test_neighbours_cover_each_move_kind():
    space = CellSpace("kinds", OPERATIONS, 7, 9, (GlobalChoice("width", (8, 16)),))
    arch = diamond().with_choices(width=8)
    neighbours = space.neighbours(arch)
    assert any(n.n_nodes == 5 for n in neighbours)
    assert any(n.choices["width"] == 16 for n in neighbours)
    assert any(n.n_edges == 5 for n in neighbours)
    assert any(sorted(n.cell_operations) != sorted(arch.cell_operations) for n in neighbours)


def test_neighbour_count_of_diamond():
    # Counted by hand for input -> {conv3x3, maxpool3x3} -> output.
    # Edge flips: removing 0-1 or 1-3 leaves the maxpool branch alone, removing
    # 0-2 or 2-3 the conv branch alone, and adding 0-3 or 1-2 gives two more
    # cells: 4 distinct. Operation changes: 2 nodes x 2 other operations = 4.
    # Insertions: 6 node pairs x 3 operations = 18 distinct 5-node cells.
    neighbours = small_space().neighbours(diamond())
    assert len(neighbours) == 4 + 4 + 18


def test_crossover_of_identical_parents_is_parent():
    space = small_space()
    arch = diamond()
    assert space.crossover(arch, arch, np.random.default_rng(0)) == arch


def test_crossover_mixes_choices():
    choices = (GlobalChoice("width", (8, 16)),)
    space = CellSpace("mix", OPERATIONS, 7, 9, choices)
    first, second = diamond().with_choices(width=8), diamond().with_choices(width=16)
    rng = np.random.default_rng(0)
    widths = {space.crossover(first, second, rng).choices["width"] for _ in range(20)}
    assert widths == {8, 16}


def test_space_hash_changes_with_declaration():
    assert small_space().space_hash != CellSpace("small", OPERATIONS, 7, 8).space_hash


def test_rejects_reserved_operation():
    with pytest.raises(ConfigError, match="reserved"):
        CellSpace("bad", ["input", "conv"], 7, 9)


def test_rejects_repeated_operation():
    with pytest.raises(ConfigError, match="more than once"):
        CellSpace("bad", ["conv", "conv"], 7, 9)


def test_rejects_too_few_nodes():
    with pytest.raises(ConfigError, match="max_nodes"):
        CellSpace("bad", OPERATIONS, 1, 9)


def test_rejects_zero_edges():
    with pytest.raises(ConfigError, match="max_edges"):
        CellSpace("bad", OPERATIONS, 7, 0)


def test_two_node_space_samples_single_edge():
    space = CellSpace("edge", OPERATIONS, 2, 1)
    assert space.sample(0).n_edges == 1
