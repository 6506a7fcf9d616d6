"""Contract tests that every SearchSpace implementation must pass.

Use it by subclassing in a test module and providing a ``space`` fixture::

    from tests.spaces.contract import SearchSpaceContract

    class TestMySpaceContract(SearchSpaceContract):
        @pytest.fixture
        def space(self):
            return MySpace()

The module name does not start with ``test_``, so pytest collects the suite
only through such subclasses.
"""

from __future__ import annotations

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import INPUT, OUTPUT, Architecture, InvalidArchitectureError
from ecgnas.spaces.base import SearchSpace


def random_relabelling(arch: Architecture, rng: np.random.Generator) -> Architecture:
    """Return ``arch`` with its nodes in a random topological order.

    Input and output keep their places. The result is the same cell written
    differently, which is what the invariance tests need: a plain random
    permutation would break the upper-triangular form.
    """
    matrix = arch.matrix
    n = arch.n_nodes
    remaining_in = matrix.sum(axis=0)
    order: list[int] = []
    available = [0]
    while available:
        node = available.pop(int(rng.integers(len(available))))
        order.append(node)
        for successor in np.flatnonzero(matrix[node]):
            remaining_in[successor] -= 1
            if remaining_in[successor] == 0:
                available.append(int(successor))
    # Nodes unreachable from the input keep their relative order, before the output.
    order += [v for v in range(n) if v not in order]
    order = [v for v in order if v != n - 1] + [n - 1]
    return Architecture(
        matrix[np.ix_(order, order)], [arch.operations[v] for v in order], arch.global_choices
    )


def chain(operations: list[str], choices: dict[str, object]) -> Architecture:
    """Return the cell input -> operations[0] -> ... -> output."""
    n = len(operations) + 2
    matrix = np.eye(n, k=1, dtype=np.int64)
    return Architecture(matrix, [INPUT, *operations, OUTPUT], choices)


class SearchSpaceContract:
    """Checks shared by every search space; subclasses provide the ``space`` fixture."""

    n_samples = 20
    """Architectures drawn by the tests that loop over samples."""

    @pytest.fixture
    def space(self) -> SearchSpace:
        raise NotImplementedError("subclasses provide the space under test")

    @pytest.fixture
    def samples(self, space: SearchSpace) -> list[Architecture]:
        rng = np.random.default_rng(1234)
        return [space.sample(rng) for _ in range(self.n_samples)]

    # Sampling

    def test_sample_valid(self, space, samples):
        for arch in samples:
            space.validate(arch)

    def test_sample_reproducible(self, space):
        first = [space.sample(np.random.default_rng(7)) for _ in range(3)]
        second = [space.sample(np.random.default_rng(7)) for _ in range(3)]
        assert [a.to_string() for a in first] == [a.to_string() for a in second]

    def test_sample_int_seed_matches_generator(self, space):
        assert space.sample(11).to_string() == space.sample(np.random.default_rng(11)).to_string()

    def test_sample_varies(self, space, samples):
        assert len(set(samples)) > 1

    def test_sample_rejects_bad_seed(self, space):
        with pytest.raises(ConfigError, match="seed"):
            space.sample("0")

    # Mutation, neighbours and crossover

    def test_mutate_valid(self, space, samples):
        rng = np.random.default_rng(0)
        for arch in samples:
            space.validate(space.mutate(arch, rng))

    def test_mutate_never_parent(self, space, samples):
        rng = np.random.default_rng(1)
        for arch in samples:
            for _ in range(3):
                assert space.mutate(arch, rng) != arch

    def test_mutate_reproducible(self, space, samples):
        first = space.mutate(samples[0], np.random.default_rng(5))
        second = space.mutate(samples[0], np.random.default_rng(5))
        assert first.to_string() == second.to_string()

    def test_mutation_is_neighbour(self, space, samples):
        rng = np.random.default_rng(2)
        for arch in samples[:5]:
            assert space.mutate(arch, rng) in set(space.neighbours(arch))

    def test_neighbours_valid(self, space, samples):
        for arch in samples[:5]:
            for neighbour in space.neighbours(arch):
                space.validate(neighbour)

    def test_neighbours_exclude_parent(self, space, samples):
        for arch in samples[:5]:
            assert arch not in space.neighbours(arch)

    def test_neighbours_distinct(self, space, samples):
        for arch in samples[:5]:
            neighbours = space.neighbours(arch)
            assert len(set(neighbours)) == len(neighbours)

    def test_neighbours_nonempty(self, space, samples):
        assert all(space.neighbours(arch) for arch in samples[:5])

    def test_crossover_valid_or_rejected(self, space, samples):
        rng = np.random.default_rng(3)
        if not space.supports_crossover:
            with pytest.raises(ConfigError, match="crossover"):
                space.crossover(samples[0], samples[1], rng)
            return
        for first, second in zip(samples[:-1], samples[1:], strict=True):
            space.validate(space.crossover(first, second, rng))

    def test_mutate_rejects_foreign_architecture(self, space, samples):
        extra = {**samples[0].choices, "not_a_choice": 1}
        foreign = Architecture(samples[0].matrix, samples[0].operations, extra)
        with pytest.raises(InvalidArchitectureError, match="not_a_choice"):
            space.mutate(foreign, np.random.default_rng(0))

    # Validity rules

    def test_validate_names_unknown_operation(self, space, samples):
        choices = samples[0].choices
        arch = chain(["no_such_operation"], choices)
        with pytest.raises(InvalidArchitectureError, match="no_such_operation"):
            space.validate(arch)

    def test_validate_rejects_too_many_nodes(self, space, samples):
        choices = samples[0].choices
        arch = chain([space.operations[0]] * (space.max_nodes - 1), choices)
        with pytest.raises(InvalidArchitectureError, match="nodes"):
            space.validate(arch)

    def test_is_valid_matches_validate(self, space, samples):
        arch = chain(["no_such_operation"], samples[0].choices)
        assert not space.is_valid(arch)

    def test_validate_rejects_missing_choice(self, space, samples):
        if not space.global_choices:
            pytest.skip("the space declares no global choices")
        arch = Architecture(samples[0].matrix, samples[0].operations)
        with pytest.raises(InvalidArchitectureError, match="missing"):
            space.validate(arch)

    # Identity and encodings

    def test_string_round_trip(self, samples):
        for arch in samples:
            restored = Architecture.from_string(arch.to_string())
            assert restored.to_string() == arch.to_string()

    def test_fingerprint_invariant_under_relabelling(self, samples):
        rng = np.random.default_rng(4)
        for arch in samples:
            assert random_relabelling(arch, rng).fingerprint == arch.fingerprint

    def test_equality_invariant_under_relabelling(self, samples):
        rng = np.random.default_rng(5)
        for arch in samples:
            assert random_relabelling(arch, rng) == arch

    def test_graph_invariant_under_relabelling(self, space, samples):
        rng = np.random.default_rng(6)
        for arch in samples:
            original = space.to_graph(arch)
            relabelled = space.to_graph(random_relabelling(arch, rng))
            assert original.x.equal(relabelled.x)
            assert original.edge_index.equal(relabelled.edge_index)
            assert original.global_features.equal(relabelled.global_features)

    def test_path_encoding_invariant_under_relabelling(self, space, samples):
        rng = np.random.default_rng(7)
        for arch in samples:
            relabelled = random_relabelling(arch, rng)
            assert np.array_equal(space.path_encoding(arch), space.path_encoding(relabelled))

    def test_graph_shapes(self, space, samples):
        width = sum(len(choice.values) for choice in space.global_choices)
        for arch in samples:
            data = space.to_graph(arch)
            assert data.x.shape == (arch.pruned().n_nodes, len(space.node_labels))
            assert data.edge_index.shape == (2, arch.pruned().n_edges)
            assert data.global_features.shape == (1, width)

    def test_graph_one_hot(self, space, samples):
        for arch in samples:
            assert space.to_graph(arch).x.sum(dim=1).eq(1).all()

    def test_path_encoding_fixed_length(self, space, samples):
        lengths = {space.path_encoding(arch).shape for arch in samples}
        assert len(lengths) == 1

    def test_path_encoding_binary(self, space, samples):
        for arch in samples:
            assert set(np.unique(space.path_encoding(arch)).tolist()) <= {0.0, 1.0}

    def test_path_encoding_nonzero(self, space, samples):
        for arch in samples:
            assert space.path_encoding(arch).sum() >= 1

    def test_distinct_samples_distinct_graphs(self, space, samples):
        distinct = list(set(samples))
        keys = set()
        for arch in distinct:
            data = space.to_graph(arch)
            keys.add(
                (
                    data.x.numpy().tobytes(),
                    data.edge_index.numpy().tobytes(),
                    data.global_features.numpy().tobytes(),
                )
            )
        assert len(keys) == len(distinct)

    def test_distinct_samples_distinct_fingerprints(self, samples):
        distinct = set(samples)
        assert len({arch.fingerprint for arch in distinct}) == len(distinct)

    def test_space_hash_stable(self, space):
        assert space.space_hash == space.space_hash

    def test_space_hash_is_hex(self, space):
        assert set(space.space_hash) <= set("0123456789abcdef")
