"""Tests of the graph and path encodings on hand-checked cells."""

import itertools

import numpy as np
import pytest
from torch_geometric.data import Batch

from ecgnas.spaces import Architecture, CellSpace, GlobalChoice, InvalidArchitectureError
from ecgnas.spaces.catalog import load_space
from ecgnas.spaces.encodings import global_one_hot, path_encoding, path_layout, to_graph
from tests.spaces.test_architecture import NON_ISOMORPHIC

NB101 = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


def ab_space() -> CellSpace:
    """The operations, sizes and choice that the NON_ISOMORPHIC cells use."""
    return CellSpace("ab", ["a", "b"], 7, 9, (GlobalChoice("width", (8, 16)),))


def with_width(arch: Architecture) -> Architecture:
    return arch if arch.global_choices else arch.with_choices(width=8)


def distinct_cells() -> list[Architecture]:
    """NON_ISOMORPHIC in the ab space: width 8 unless a cell sets 16.

    The diamond without choices becomes equal to the diamond of width 8, so it is left out.
    """
    cells = [with_width(arch) for arch in NON_ISOMORPHIC if not arch.global_choices]
    return cells + [arch for arch in NON_ISOMORPHIC if arch.choices.get("width") == 16]


def test_layout_exact_when_all_paths_fit():
    assert path_layout(3, 5, 4096) == (364, 364)


def test_layout_truncated_for_ecg1d():
    # 11 operations: 1 + 11 + 121 + 1331 = 1464 paths of up to 3 nodes fit into
    # half of 4096 entries; the 4- and 5-node paths are hashed into the rest.
    assert path_layout(11, 5, 4096) == (1464, 4096)


def test_path_ranks_nasbench101():
    space = load_space("nasbench101")
    # input -> conv3x3 -> output plus input -> output: paths () and (conv3x3,).
    skip = Architecture([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", NB101[0], "output"])
    assert np.flatnonzero(path_encoding(skip, space)).tolist() == [0, 1]


def test_path_rank_of_two_node_path():
    space = load_space("nasbench101")
    # (conv1x1, maxpool) ranks after the 1 + 3 shorter paths, as base-3 digits 1, 2.
    chain = Architecture(np.eye(4, k=1, dtype=int), ["input", NB101[1], NB101[2], "output"])
    assert np.flatnonzero(path_encoding(chain, space)).tolist() == [1 + 3 + 1 * 3 + 2]


def test_long_path_hashed_into_overflow():
    space = load_space("ecg1d")
    chain = Architecture(
        np.eye(7, k=1, dtype=int),
        ["input", *["conv_k3"] * 5, "output"],
        {"stem_width": 8, "cells_per_stack": 1},
    )
    path_part = path_encoding(chain, space)[:4096]
    assert np.flatnonzero(path_part).tolist()[0] >= 1464


def test_path_encoding_appends_global_choices():
    space = ab_space()
    arch = with_width(NON_ISOMORPHIC[0]).with_choices(width=16)
    assert path_encoding(arch, space)[-2:].tolist() == [0.0, 1.0]


def test_distinct_cells_are_distinct():
    assert len(set(distinct_cells())) == len(distinct_cells())


def test_path_encodings_differ_for_non_isomorphic_cells():
    # Parallel copies of one path are the only pair the binary encoding cannot
    # tell apart (see the next test), so the twin branch "a || a" is left out.
    space = ab_space()
    cells = [arch for arch in distinct_cells() if arch.cell_operations != ("a", "a") or arch.n_edges != 4]
    encodings = {path_encoding(arch, space).tobytes() for arch in cells}
    assert len(encodings) == len(cells)


def test_path_encoding_ignores_path_multiplicity():
    space = ab_space()
    single = Architecture([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "a", "output"], {"width": 8})
    twins = Architecture(
        [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], ["input", "a", "a", "output"], {"width": 8}
    )
    assert np.array_equal(path_encoding(single, space), path_encoding(twins, space))


def test_graphs_differ_for_non_isomorphic_cells():
    space = ab_space()
    keys = set()
    for arch in distinct_cells():
        data = to_graph(arch, space)
        keys.add(
            (
                data.x.numpy().tobytes(),
                data.edge_index.numpy().tobytes(),
                data.global_features.numpy().tobytes(),
            )
        )
    assert len(keys) == len(distinct_cells())


def test_graph_node_features_follow_canonical_order():
    space = ab_space()
    arch = NON_ISOMORPHIC[8].with_choices(width=8)
    data = to_graph(arch, space)
    labels = [space.node_labels[i] for i in data.x.argmax(dim=1).tolist()]
    assert labels == list(arch.canonical().operations)


def test_graph_edges_follow_canonical_order():
    space = ab_space()
    arch = NON_ISOMORPHIC[8].with_choices(width=8)
    edges = to_graph(arch, space).edge_index.t().tolist()
    assert [tuple(edge) for edge in edges] == arch.canonical().edges()


def test_graph_batches_stack_global_features():
    space = ab_space()
    first, second = (with_width(arch) for arch in NON_ISOMORPHIC[:2])
    batch = Batch.from_data_list([to_graph(first, space), to_graph(second, space)])
    assert batch.global_features.shape == (2, 2)


def test_global_one_hot_blocks():
    space = CellSpace("two", ["a"], 3, 3, (GlobalChoice("w", (8, 16)), GlobalChoice("k", ("x", "y", "z"))))
    arch = Architecture([[0, 1], [0, 0]], ["input", "output"], {"w": 16, "k": "x"})
    assert global_one_hot(arch, space).tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]


def test_global_one_hot_rejects_undeclared_value():
    space = ab_space()
    arch = Architecture([[0, 1], [0, 0]], ["input", "output"], {"width": 12})
    with pytest.raises(InvalidArchitectureError, match="allowed values: \\[8, 16\\]"):
        global_one_hot(arch, space)


def test_encodings_reject_unknown_operation():
    space = ab_space()
    arch = Architecture([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "c", "output"], {"width": 8})
    with pytest.raises(InvalidArchitectureError, match="'c'"):
        path_encoding(arch, space)


def test_path_encoding_ignores_pruned_nodes():
    space = ab_space()
    arch = Architecture(
        [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]], ["input", "a", "b", "output"], {"width": 8}
    )
    assert np.array_equal(path_encoding(arch, space), path_encoding(arch.pruned(), space))


def test_all_relabellings_same_graph():
    # Every topological order of a 6-node cell gives the same graph encoding.
    space = ab_space()
    arch = NON_ISOMORPHIC[-1].with_choices(width=8)
    reference = to_graph(arch, space)
    for middle in itertools.permutations(range(1, 5)):
        order = [0, *middle, 5]
        matrix = arch.matrix[np.ix_(order, order)]
        if np.tril(matrix).any():
            continue
        relabelled = Architecture(matrix, [arch.operations[v] for v in order], arch.global_choices)
        data = to_graph(relabelled, space)
        assert data.x.equal(reference.x)
        assert data.edge_index.equal(reference.edge_index)
