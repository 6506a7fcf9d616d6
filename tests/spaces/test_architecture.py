"""Tests of the Architecture value: validity, identity, pruning and text form."""

import dataclasses
import itertools

import numpy as np
import pytest

from ecgnas.spaces import Architecture, InvalidArchitectureError
from tests.spaces.contract import random_relabelling


def cell(edges: list[tuple[int, int]], ops: list[str], **choices) -> Architecture:
    n = len(ops) + 2
    matrix = np.zeros((n, n), dtype=np.int64)
    for source, target in edges:
        matrix[source, target] = 1
    return Architecture(matrix, ["input", *ops, "output"], choices)


# Pairwise non-isomorphic cells: each differs from the others in structure,
# operations or global choices. The last two share every degree and operation
# count and differ only in which operations follow each other.
NON_ISOMORPHIC = [
    cell([(0, 1)], []),
    cell([(0, 1), (1, 2)], ["a"]),
    cell([(0, 1), (1, 2)], ["b"]),
    cell([(0, 1), (1, 2), (2, 3)], ["a", "b"]),
    cell([(0, 1), (1, 2), (2, 3)], ["b", "a"]),
    cell([(0, 1), (1, 2), (2, 3), (0, 3)], ["a", "b"]),
    cell([(0, 1), (1, 2), (2, 3), (0, 2)], ["a", "b"]),
    cell([(0, 1), (1, 2), (2, 3), (1, 3)], ["a", "b"]),
    cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["a", "b"]),
    cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["a", "a"]),
    cell([(0, 1), (0, 2), (1, 3), (2, 3), (0, 3)], ["a", "b"]),
    cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["a", "b"], width=8),
    cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["a", "b"], width=16),
    cell([(0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 5)], ["a", "b", "b", "a"]),
    cell([(0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 5)], ["a", "b", "a", "b"]),
]


def test_non_isomorphic_cells_unequal():
    for first, second in itertools.combinations(NON_ISOMORPHIC, 2):
        assert first != second, (first, second)


def test_non_isomorphic_cells_distinct_fingerprints():
    fingerprints = {arch.fingerprint for arch in NON_ISOMORPHIC}
    assert len(fingerprints) == len(NON_ISOMORPHIC)


def test_relabelled_cells_equal():
    rng = np.random.default_rng(0)
    for arch in NON_ISOMORPHIC:
        for _ in range(5):
            assert random_relabelling(arch, rng) == arch


def test_relabelled_cells_same_hash():
    rng = np.random.default_rng(1)
    for arch in NON_ISOMORPHIC:
        assert hash(random_relabelling(arch, rng)) == hash(arch)


def test_swapped_branches_same_canonical_form():
    first = cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["a", "b"])
    second = cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["b", "a"])
    assert first.canonical().to_string() == second.canonical().to_string()


def test_set_deduplicates_isomorphic_cells():
    first = cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["a", "b"])
    second = cell([(0, 1), (0, 2), (1, 3), (2, 3)], ["b", "a"])
    assert len({first, second}) == 1


def test_pruned_drops_dead_end_node():
    arch = cell([(0, 1), (0, 2), (1, 3)], ["a", "b"])
    assert arch.pruned().to_string() == "input,a,output;0-1,1-2;{}"


def test_pruned_drops_unreachable_node():
    arch = cell([(0, 2), (1, 2), (2, 3)], ["a", "b"])
    assert arch.pruned().to_string() == "input,b,output;0-1,1-2;{}"


def test_fingerprint_ignores_pruned_nodes():
    arch = cell([(0, 1), (0, 2), (1, 3)], ["a", "b"])
    assert arch.fingerprint == arch.pruned().fingerprint


def test_unpruned_equals_pruned():
    arch = cell([(0, 1), (0, 2), (1, 3)], ["a", "b"])
    assert arch == arch.pruned()


def test_is_pruned_false_with_dead_end():
    assert not cell([(0, 1), (0, 2), (1, 3)], ["a", "b"]).is_pruned


def test_paths_of_diamond_with_skip():
    arch = cell([(0, 1), (0, 2), (1, 3), (2, 3), (0, 3)], ["a", "b"])
    assert sorted(arch.paths()) == [(), ("a",), ("b",)]


def test_to_string_format():
    arch = cell([(0, 1), (1, 2), (0, 2)], ["conv_k3"], stem_width=16)
    assert arch.to_string() == 'input,conv_k3,output;0-1,0-2,1-2;{"stem_width":16}'


def test_string_round_trip_keeps_fields():
    arch = cell([(0, 1), (0, 2), (1, 3)], ["a", "b"], width=8, pool="avg", scale=0.5, flag=True)
    restored = Architecture.from_string(arch.to_string())
    assert dataclasses.astuple(restored) == dataclasses.astuple(arch)


def test_global_choices_sorted_by_name():
    arch = cell([(0, 1)], [], zeta=1, alpha=2)
    assert arch.global_choices == (("alpha", 2), ("zeta", 1))


def test_with_choices_updates_value():
    arch = cell([(0, 1)], [], width=8).with_choices(width=16)
    assert arch.choices == {"width": 16}


def test_frozen():
    arch = cell([(0, 1)], [])
    with pytest.raises(dataclasses.FrozenInstanceError):
        arch.operations = ("input", "output")


def test_matrix_is_a_copy():
    arch = cell([(0, 1)], [])
    arch.matrix[0, 1] = 0
    assert arch.n_edges == 1


def test_accepts_numpy_choice_values():
    arch = Architecture([[0, 1], [0, 0]], ["input", "output"], {"width": np.int64(8)})
    assert type(arch.choices["width"]) is int


@pytest.mark.parametrize(
    ("matrix", "labels", "message"),
    [
        ([[0, 1, 0]], ["input", "output"], "square"),
        ([[0, 1], [0, 0]], ["input", "a", "output"], "3 operation labels"),
        ([[0]], ["input"], "at least 2 nodes"),
        ([[0, 2], [0, 0]], ["input", "output"], "only 0 and 1"),
        ([[0, 1], [1, 0]], ["input", "output"], "below the diagonal"),
        ([[1, 1], [0, 0]], ["input", "output"], "on or below the diagonal"),
        ([[0, 1], [0, 0]], ["a", "output"], "must be 'input' and 'output'"),
        ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "output", "output"], "reserved"),
        ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv k3", "output"], "characters"),
        ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", "a", "output"], "no path"),
        ([[0, 1], [0]], ["input", "output"], "different lengths"),
    ],
)
def test_invalid_structure_named(matrix, labels, message):
    with pytest.raises(InvalidArchitectureError, match=message):
        Architecture(matrix, labels)


def test_repeated_choice_name_rejected():
    with pytest.raises(InvalidArchitectureError, match="more than once"):
        Architecture([[0, 1], [0, 0]], ["input", "output"], [("w", 1), ("w", 2)])


def test_choice_value_type_rejected():
    with pytest.raises(InvalidArchitectureError, match="must be int, float, str or bool"):
        Architecture([[0, 1], [0, 0]], ["input", "output"], {"w": [1, 2]})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("input,output;0-1", "three ';'-separated parts"),
        ("input,output;0>1;{}", "invalid edge '0>1'"),
        ("input,output;0-5;{}", "beyond the 2 labelled nodes"),
        ("input,output;0-1;{width:8}", "invalid global choices"),
        ("input,output;0-1;[8]", "expected a JSON object"),
        ("input,output;;{}", "no path"),
    ],
)
def test_from_string_errors_named(text, message):
    with pytest.raises(InvalidArchitectureError, match=message):
        Architecture.from_string(text)
