"""Tests of the path count and the cell-count estimate."""

import numpy as np

from ecgnas.spaces import CellSpace, GlobalChoice
from ecgnas.spaces.catalog import load_space
from ecgnas.spaces.counting import count_paths, estimate_cell_count


def test_count_paths_nasbench101():
    # 3 operations, paths of 0 to 5 intermediate nodes: 1 + 3 + 9 + 27 + 81 + 243.
    assert count_paths(load_space("nasbench101")) == 364


def test_count_paths_limited_by_edges():
    # Four edges allow at most three intermediate nodes on a path.
    space = CellSpace("few_edges", ["a", "b"], max_nodes=7, max_edges=4)
    assert count_paths(space) == 1 + 2 + 4 + 8


def test_estimate_exact_for_small_space():
    # With one operation and at most 4 nodes every cell has exactly one
    # encoding (two unordered middle nodes are interchangeable), so the
    # estimate has no sampling error and must equal a brute-force count.
    space = CellSpace("tiny", ["a"], max_nodes=4, max_edges=6)
    reference = brute_force_cell_count(space)
    estimate = estimate_cell_count(space, 0, samples_per_size=200)
    assert abs(estimate.cells - reference) < 1e-9


def test_estimate_matches_nasbench101_table(nasbench_dir):
    with np.load(nasbench_dir / "nb101_cells_all.npz", allow_pickle=False) as table:
        true_count = table["num_vertices"].shape[0]
    estimate = estimate_cell_count(load_space("nasbench101"), 0, samples_per_size=1500)
    assert abs(estimate.cells - true_count) < 4 * estimate.standard_error


def test_estimate_multiplies_global_choices():
    space = CellSpace("choices", ["a"], 3, 3, (GlobalChoice("w", (1, 2, 3)),))
    estimate = estimate_cell_count(space, 0, samples_per_size=50)
    assert estimate.architectures == 3 * estimate.cells


def brute_force_cell_count(space: CellSpace) -> int:
    from itertools import product

    from ecgnas.spaces import Architecture, InvalidArchitectureError

    cells = set()
    for n in range(2, space.max_nodes + 1):
        rows, cols = np.triu_indices(n, k=1)
        for bits in product((0, 1), repeat=rows.size):
            matrix = np.zeros((n, n), dtype=np.int64)
            matrix[rows, cols] = bits
            for ops in product(space.operations, repeat=n - 2):
                try:
                    arch = Architecture(matrix, ["input", *ops, "output"]).pruned()
                except InvalidArchitectureError:
                    continue
                if space.is_valid(arch):
                    cells.add(arch)
    return len(cells)
