"""Tests of the cell graph algorithms, including NAS-Bench-101 hash compatibility."""

import numpy as np
import pytest

from ecgnas.spaces import graph

# NAS-Bench-101 labels intermediate nodes by their index in this list.
NB101_OPERATIONS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


@pytest.fixture(scope="module")
def nb101_cells(nasbench_dir):
    with np.load(nasbench_dir / "nb101_cells_all.npz", allow_pickle=False) as table:
        rows = np.random.default_rng(0).choice(table["hash_md5"].shape[0], 150, replace=False)
        return {key: table[key][rows] for key in ("hash_md5", "num_vertices", "adj_upper21", "ops")} | {
            "ops_vocab": table["ops_vocab"]
        }


def nb101_matrix(upper: np.ndarray, n: int) -> np.ndarray:
    matrix = np.zeros((7, 7), dtype=np.int64)
    matrix[np.triu_indices(7, k=1)] = upper
    return matrix[:n, :n]


def test_neighbourhood_hash_matches_nasbench101(nb101_cells):
    vocabulary = [str(name) for name in nb101_cells["ops_vocab"]]
    for row in range(len(nb101_cells["num_vertices"])):
        n = int(nb101_cells["num_vertices"][row])
        matrix = nb101_matrix(nb101_cells["adj_upper21"][row], n)
        names = [vocabulary[code] for code in nb101_cells["ops"][row][:n]]
        labels = [-1, *(NB101_OPERATIONS.index(name) for name in names[1:-1]), -2]
        expected = bytes(nb101_cells["hash_md5"][row]).hex()
        assert graph.neighbourhood_hash(matrix, labels) == expected


def test_neighbourhood_hash_accepts_numpy_labels():
    matrix = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    plain = graph.neighbourhood_hash(matrix, [-1, 0, -2])
    assert graph.neighbourhood_hash(matrix, np.array([-1, 0, -2])) == plain


def test_on_path_mask_marks_dead_ends():
    matrix = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert graph.on_path_mask(matrix).tolist() == [True, True, False, True]


def test_on_path_mask_empty_without_path():
    matrix = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert not graph.on_path_mask(matrix).any()


def test_input_output_paths_of_diamond():
    matrix = np.array([[0, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert sorted(graph.input_output_paths(matrix)) == [(), (1,), (2,)]


def test_canonical_order_maps_swapped_branches_together():
    matrix = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    first_labels = ["input", "a", "b", "output"]
    second_labels = ["input", "b", "a", "output"]
    first = graph.canonical_order(matrix, first_labels)
    second = graph.canonical_order(matrix, second_labels)
    assert [first_labels[v] for v in first] == [second_labels[v] for v in second]


def test_canonical_order_topological():
    # Node 2 depends on node 1, so whatever their hashes, 1 must come first.
    matrix = np.array([[0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    order = graph.canonical_order(matrix, ["input", "z", "a", "output"])
    reordered = matrix[np.ix_(order, order)]
    assert not np.tril(reordered).any()


def test_canonical_order_with_interchangeable_nodes():
    # Five parallel identical branches: every order ties and all are followed.
    n = 7
    matrix = np.zeros((n, n), dtype=np.int64)
    matrix[0, 1:6] = 1
    matrix[1:6, 6] = 1
    order = graph.canonical_order(matrix, ["input", *["a"] * 5, "output"])
    assert sorted(order) == list(range(n))


def test_topological_encodings_of_asymmetric_diamond():
    matrix = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert len(graph.topological_encodings(matrix, ["input", "a", "b", "output"])) == 2


def test_topological_encodings_of_symmetric_diamond():
    matrix = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert len(graph.topological_encodings(matrix, ["input", "a", "a", "output"])) == 1
