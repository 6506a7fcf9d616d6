"""Tests of the NAS-Bench-201 space: the shared contract, isomorphic cells, validity."""

from collections import defaultdict

import numpy as np
import pytest

from ecgnas.nasbench import nb201_cell
from ecgnas.spaces import nasbench201
from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError
from ecgnas.spaces.nasbench201 import NasBench201Space
from tests.spaces.contract import SearchSpaceContract

RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"


class TestNasBench201Contract(SearchSpaceContract):
    @pytest.fixture
    def space(self, nb201_space):
        return nb201_space


def test_architecture_count(nb201_space):
    # 8,764 connected graphs plus the zero cell.
    assert nb201_space.n_architectures == 8_765


def test_zero_cell_members(nb201_space):
    zero = nb201_space.architecture_of((0,) * 6)
    assert len(nb201_space.cells_of(zero)) == 341


def test_swapped_middle_nodes_same_architecture(nb201_space):
    # Without the edge 1 -> 2, nodes 1 and 2 are interchangeable.
    first = nb201_space.architecture_of((3, 2, 0, 1, 4, 3))
    second = nb201_space.architecture_of((2, 3, 0, 1, 3, 4))
    assert first == second


def test_swapped_middle_nodes_differ_with_edge(nb201_space):
    first = nb201_space.architecture_of((3, 2, 1, 1, 4, 3))
    second = nb201_space.architecture_of((2, 3, 1, 1, 3, 4))
    assert first != second


def test_representative_is_first_cell(nb201_space):
    arch = nb201_space.architecture_of((2, 3, 0, 1, 3, 4))
    cells = nb201_space.cells_of(arch)
    assert nb201_space.representative(arch) == min(cells)


def test_representative_listed_first(nb201_space):
    arch = nb201_space.architecture_of((2, 3, 0, 1, 3, 4))
    assert nb201_space.cells_of(arch)[0] == nb201_space.representative(arch)


def test_arch_string_round_trip(nb201_space):
    arch = nb201_space.from_arch_string(RESNET)
    assert nb201_cell.format_arch_string(nb201_space.representative(arch)) == RESNET


def test_bad_arch_string(nb201_space):
    with pytest.raises(Exception, match="arch string"):
        nb201_space.from_arch_string("|nor_conv_3x3~0|+")


def test_validate_rejects_unrealisable_graph(nb201_space):
    # A chain of four operations needs four edges in sequence; the cell has paths of three.
    chain = Architecture(np.eye(6, k=1, dtype=int), ["input", *["nor_conv_3x3"] * 4, "output"])
    with pytest.raises(InvalidArchitectureError, match="not a NAS-Bench-201 cell"):
        nb201_space.validate(chain)


def test_validate_rejects_none_node_in_larger_graph(nb201_space):
    arch = Architecture(np.eye(4, k=1, dtype=int), ["input", "none", "skip_connect", "output"])
    with pytest.raises(InvalidArchitectureError, match="not a NAS-Bench-201 cell"):
        nb201_space.validate(arch)


def test_validate_accepts_relabelled_cell(nb201_space):
    arch = nb201_space.from_arch_string(RESNET)
    order = [0, 3, 1, 2, 4, 5]
    relabelled = Architecture(arch.matrix[np.ix_(order, order)], [arch.operations[v] for v in order])
    nb201_space.validate(relabelled)


def test_sample_uniform_over_cells(nb201_space):
    rng = np.random.default_rng(0)
    zero = nb201_space.class_index(nb201_space.architecture_of((0,) * 6))
    share = np.mean([nb201_space.class_index(nb201_space.sample(rng)) == zero for _ in range(10_000)])
    # 341 of 15,625 cells give the zero cell: 2.18 %, standard error 0.15 %.
    assert 0.0160 < share < 0.0276


def test_zero_cell_neighbours_connected(nb201_space):
    zero = nb201_space.architecture_of((0,) * 6)
    assert all(arch.operations[1] != "none" for arch in nb201_space.neighbours(zero))


def test_neighbours_of_resnet_cover_single_edge_changes(nb201_space):
    arch = nb201_space.from_arch_string(RESNET)
    neighbours = set(nb201_space.neighbours(arch))
    codes = nb201_cell.parse_arch_string(RESNET)
    for edge in range(6):
        for op in range(5):
            if op != codes[edge]:
                changed = nb201_space.architecture_of(codes[:edge] + (op,) + codes[edge + 1 :])
                assert changed == arch or changed in neighbours


def test_crossover_of_equal_parents(nb201_space):
    arch = nb201_space.from_arch_string(RESNET)
    assert nb201_space.crossover(arch, arch, 0) == arch


def test_class_index_cached(nb_cache, monkeypatch):
    def fail():
        raise AssertionError("the class index was built again")

    monkeypatch.setattr(nasbench201, "_build_class_index", fail)
    assert NasBench201Space(nb_cache).n_architectures == 8_765


@pytest.mark.slow
def test_fingerprint_classes_match_exact_equality(nb201_space):
    # The class index groups cells by fingerprint (a hash); equality uses the
    # exact canonical form. Both must split the 15,625 cells the same way.
    by_live = {}
    for cell, codes in enumerate(nb201_cell.all_cell_codes().tolist()):
        by_live.setdefault(nb201_cell.live_codes(tuple(codes)), cell)
    canonical = defaultdict(set)
    for live in by_live:
        arch = Architecture(*nb201_cell.operation_graph(live))
        canonical[arch.canonical().to_string()].add(nb201_space.class_index(arch))
    assert all(len(classes) == 1 for classes in canonical.values())
    assert len(canonical) == nb201_space.n_architectures
