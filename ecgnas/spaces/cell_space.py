"""A generic cell space: any DAG within node and edge limits, operations on nodes.

The ECG space and the NAS-Bench-101 adapter reuse it. Its search operators
work on pruned cells and always return pruned cells.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import (
    INPUT,
    OUTPUT,
    Architecture,
    GlobalValue,
    InvalidArchitectureError,
)
from ecgnas.spaces.base import GlobalChoice, SearchSpace, SeedLike, as_generator, check_operation_names

MAX_SAMPLE_ATTEMPTS = 100_000
"""Random matrices :meth:`CellSpace.sample` draws before it gives up."""

MAX_VARIATION_ATTEMPTS = 1_000
"""Random changes :meth:`CellSpace.mutate` and :meth:`CellSpace.crossover` try before they give up."""

MOVE_KINDS = ("edge", "operation", "choice", "insert")
"""The kinds of one-step change: flip an edge, change a node's operation,
change a global choice, insert a node on a new path between two nodes."""


class CellSpace(SearchSpace):
    """Every cell with at most ``max_nodes`` nodes and ``max_edges`` edges after pruning.

    Args:
        name: Short name of the space.
        operations: Operation names for intermediate nodes, at least one.
        max_nodes: Maximum number of nodes of a pruned cell, input and output included, at least 2.
        max_edges: Maximum number of edges of a pruned cell, at least 1.
        global_choices: Choices that every architecture sets.

    Raises:
        ConfigError: An argument breaks the limits above or an operation name
            is reserved or repeated.
    """

    def __init__(
        self,
        name: str,
        operations: Sequence[str],
        max_nodes: int,
        max_edges: int,
        global_choices: Sequence[GlobalChoice] = (),
    ) -> None:
        where = f"space {name!r}"
        if not operations:
            raise ConfigError(f"{where}: declare at least one operation")
        check_operation_names(operations, where)
        if max_nodes < 2:
            raise ConfigError(
                f"{where}: max_nodes is {max_nodes}; a cell needs at least 2 nodes (input and output)"
            )
        if max_edges < 1:
            raise ConfigError(
                f"{where}: max_edges is {max_edges}; at least 1 edge is needed to join input and output"
            )
        names = [choice.name for choice in global_choices]
        if len(set(names)) != len(names):
            raise ConfigError(f"{where}: global choices {names} repeat a name")
        self._name = name
        self._operations = tuple(operations)
        self._max_nodes = int(max_nodes)
        self._max_edges = int(max_edges)
        self._global_choices = tuple(global_choices)

    @property
    def name(self) -> str:
        return self._name

    @property
    def operations(self) -> tuple[str, ...]:
        return self._operations

    @property
    def max_nodes(self) -> int:
        return self._max_nodes

    @property
    def max_edges(self) -> int:
        return self._max_edges

    @property
    def global_choices(self) -> tuple[GlobalChoice, ...]:
        return self._global_choices

    def to_dict(self) -> dict[str, Any]:
        """Return the declaration as JSON-compatible data; :attr:`space_hash` hashes it."""
        return {
            "name": self.name,
            "operations": list(self.operations),
            "max_nodes": self.max_nodes,
            "max_edges": self.max_edges,
            "global_choices": {choice.name: list(choice.values) for choice in self.global_choices},
        }

    @property
    def space_hash(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    # Sampling

    def sample(self, rng: SeedLike) -> Architecture:
        """Draw a random valid cell, as NAS-Bench-101 does.

        Each attempt draws every upper-triangular entry of a ``max_nodes`` matrix
        with probability 1/2, an operation per intermediate node and a value per
        global choice, all uniformly, and prunes the result. Attempts without an
        input-to-output path or above the edge limit are rejected, so the result
        is uniform over valid ``max_nodes``-node encodings, not over distinct
        cells: cells with many encodings (more topological orders, or pruned
        nodes) come up more often.

        Raises:
            ConfigError: No valid cell came up in :data:`MAX_SAMPLE_ATTEMPTS` attempts.
        """
        generator = as_generator(rng)
        n = self.max_nodes
        rows, cols = np.triu_indices(n, k=1)
        for _ in range(MAX_SAMPLE_ATTEMPTS):
            matrix = np.zeros((n, n), dtype=np.int64)
            matrix[rows, cols] = generator.integers(0, 2, size=rows.size)
            ops = generator.integers(0, len(self.operations), size=n - 2)
            choices = self._random_choices(generator)
            labels = [INPUT, *(self.operations[i] for i in ops), OUTPUT]
            try:
                candidate = Architecture(matrix, labels, choices).pruned()
            except InvalidArchitectureError:
                continue
            if candidate.n_edges <= self.max_edges:
                return candidate
        raise ConfigError(
            f"space {self.name!r}: no valid cell in {MAX_SAMPLE_ATTEMPTS} random draws; "
            f"max_edges={self.max_edges} is too small for max_nodes={self.max_nodes}"
        )

    def _random_choices(self, generator: np.random.Generator) -> dict[str, GlobalValue]:
        return {
            choice.name: choice.values[int(generator.integers(len(choice.values)))]
            for choice in self.global_choices
        }

    # Mutation and neighbours

    def mutate(self, arch: Architecture, rng: SeedLike) -> Architecture:
        """Apply one random change of a random kind from :data:`MOVE_KINDS`.

        The kind is drawn uniformly among those that can apply, then the change
        within it. A change that gives an invalid cell or the parent itself is
        drawn again. Removing an edge may disconnect nodes, which pruning drops.

        Raises:
            InvalidArchitectureError: ``arch`` is not in this space.
            ConfigError: No valid different cell came up in
                :data:`MAX_VARIATION_ATTEMPTS` attempts.
        """
        self.validate(arch)
        generator = as_generator(rng)
        parent = arch.pruned()
        kinds = self._applicable_kinds(parent)
        for _ in range(MAX_VARIATION_ATTEMPTS):
            kind = kinds[int(generator.integers(len(kinds)))]
            child = self._random_move(parent, kind, generator)
            if child is not None and child != parent and self.is_valid(child):
                return child
        raise ConfigError(
            f"space {self.name!r}: no valid mutation of {arch.to_string()!r} in "
            f"{MAX_VARIATION_ATTEMPTS} attempts"
        )

    def neighbours(self, arch: Architecture) -> list[Architecture]:
        """Return the distinct valid cells one change of :data:`MOVE_KINDS` away.

        The order is deterministic: edge flips, operation changes, global-choice
        changes, node insertions, each in index order, duplicates dropped.
        """
        self.validate(arch)
        parent = arch.pruned()
        seen = {parent}
        result = []
        for child in self._all_moves(parent):
            if child in seen or not self.is_valid(child):
                continue
            seen.add(child)
            result.append(child)
        return result

    def _applicable_kinds(self, parent: Architecture) -> list[str]:
        kinds = ["edge"]
        if parent.n_nodes > 2 and len(self.operations) > 1:
            kinds.append("operation")
        if any(len(choice.values) > 1 for choice in self.global_choices):
            kinds.append("choice")
        if parent.n_nodes < self.max_nodes and parent.n_edges + 2 <= self.max_edges:
            kinds.append("insert")
        return kinds

    def _random_move(
        self, parent: Architecture, kind: str, generator: np.random.Generator
    ) -> Architecture | None:
        n = parent.n_nodes
        if kind == "edge":
            rows, cols = np.triu_indices(n, k=1)
            pick = int(generator.integers(rows.size))
            return _flip_edge(parent, int(rows[pick]), int(cols[pick]))
        if kind == "operation":
            node = int(generator.integers(1, n - 1))
            others = [op for op in self.operations if op != parent.operations[node]]
            return _set_operation(parent, node, others[int(generator.integers(len(others)))])
        if kind == "choice":
            variable = [choice for choice in self.global_choices if len(choice.values) > 1]
            choice = variable[int(generator.integers(len(variable)))]
            current = parent.choices[choice.name]
            others = [v for v in choice.values if not (v == current and type(v) is type(current))]
            return parent.with_choices(**{choice.name: others[int(generator.integers(len(others)))]})
        rows, cols = np.triu_indices(n, k=1)
        pick = int(generator.integers(rows.size))
        operation = self.operations[int(generator.integers(len(self.operations)))]
        return _insert_node(parent, int(rows[pick]), int(cols[pick]), operation)

    def _all_moves(self, parent: Architecture) -> Iterator[Architecture]:
        n = parent.n_nodes
        pairs = list(zip(*np.triu_indices(n, k=1), strict=True))
        for source, target in pairs:
            child = _flip_edge(parent, int(source), int(target))
            if child is not None:
                yield child
        for node in range(1, n - 1):
            for operation in self.operations:
                if operation != parent.operations[node]:
                    yield _set_operation(parent, node, operation)
        for choice in self.global_choices:
            current = parent.choices[choice.name]
            for value in choice.values:
                if not (value == current and type(value) is type(current)):
                    yield parent.with_choices(**{choice.name: value})
        if n < self.max_nodes:
            for source, target in pairs:
                for operation in self.operations:
                    yield _insert_node(parent, int(source), int(target), operation)

    # Crossover

    @property
    def supports_crossover(self) -> bool:
        return True

    def crossover(self, first: Architecture, second: Architecture, rng: SeedLike) -> Architecture:
        """Uniform crossover of the two parents' padded encodings.

        Both parents are padded to ``max_nodes`` nodes by inserting unconnected
        nodes before the output, so node ``k`` of one parent is paired with node
        ``k`` of the other. The child takes every matrix entry, every node
        operation and every global choice from either parent with probability
        1/2. Invalid children are drawn again. The pairing of nodes by index is
        arbitrary, as in any crossover on adjacency encodings.

        Raises:
            InvalidArchitectureError: A parent is not in this space.
            ConfigError: No valid child came up in :data:`MAX_VARIATION_ATTEMPTS` attempts.
        """
        self.validate(first)
        self.validate(second)
        generator = as_generator(rng)
        matrices, labels = [], []
        for parent in (first, second):
            matrix, ops = self._padded(parent.pruned(), generator)
            matrices.append(matrix)
            labels.append(ops)
        n = self.max_nodes
        for _ in range(MAX_VARIATION_ATTEMPTS):
            take_second = generator.integers(0, 2, size=(n, n)).astype(bool)
            matrix = np.triu(np.where(take_second, matrices[1], matrices[0]), k=1)
            node_from_second = generator.integers(0, 2, size=n).astype(bool)
            ops = [labels[int(pick)][v] for v, pick in enumerate(node_from_second)]
            choices = {
                choice.name: (second if generator.integers(2) else first).choices[choice.name]
                for choice in self.global_choices
            }
            try:
                child = Architecture(matrix, ops, choices).pruned()
            except InvalidArchitectureError:
                continue
            if self.is_valid(child):
                return child
        raise ConfigError(
            f"space {self.name!r}: no valid crossover of {first.to_string()!r} and "
            f"{second.to_string()!r} in {MAX_VARIATION_ATTEMPTS} attempts"
        )

    def _padded(self, arch: Architecture, generator: np.random.Generator) -> tuple[np.ndarray, list[str]]:
        n, size = arch.n_nodes, self.max_nodes
        matrix = np.zeros((size, size), dtype=np.int64)
        matrix[: n - 1, : n - 1] = arch.matrix[: n - 1, : n - 1]
        matrix[: n - 1, size - 1] = arch.matrix[: n - 1, n - 1]
        fillers = [self.operations[int(generator.integers(len(self.operations)))] for _ in range(size - n)]
        return matrix, [*arch.operations[:-1], *fillers, OUTPUT]


def _flip_edge(parent: Architecture, source: int, target: int) -> Architecture | None:
    matrix = parent.matrix
    matrix[source, target] = 1 - matrix[source, target]
    try:
        return Architecture(matrix, parent.operations, parent.global_choices).pruned()
    except InvalidArchitectureError:
        # Removing the last edge of every input-to-output path leaves no cell.
        return None


def _set_operation(parent: Architecture, node: int, operation: str) -> Architecture:
    labels = list(parent.operations)
    labels[node] = operation
    return Architecture(parent.matrix, labels, parent.global_choices)


def _insert_node(parent: Architecture, source: int, target: int, operation: str) -> Architecture:
    """Insert a node just before ``target`` with the edges ``source -> new -> target``."""
    n = parent.n_nodes
    old = parent.matrix
    # Old nodes below target keep their index, the others move up by one.
    index = [v if v < target else v + 1 for v in range(n)]
    matrix = np.zeros((n + 1, n + 1), dtype=np.int64)
    matrix[np.ix_(index, index)] = old
    matrix[source, target] = 1
    matrix[target, target + 1] = 1
    labels = [*parent.operations[:target], operation, *parent.operations[target:]]
    return Architecture(matrix, labels, parent.global_choices)
