"""The architecture value shared by every search space: a cell DAG plus global choices."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.spaces import graph

GlobalValue = int | float | str | bool
"""Type of a global choice's value, as declared in a space's YAML file."""

INPUT = "input"
"""Label of node 0, the cell input."""

OUTPUT = "output"
"""Label of the last node, the cell output."""

_LABEL_PATTERN = re.compile(r"^[A-Za-z0-9_.+-]+$")


class InvalidArchitectureError(ConfigError):
    """An architecture breaks a structural rule or a rule of its search space."""


@dataclass(frozen=True, eq=False)
class Architecture:
    """One cell: a DAG with an operation per node, plus optional global choices.

    The adjacency matrix is upper-triangular with entry ``[i, j] = 1`` for an
    edge from node ``i`` to node ``j``. Node 0 is the cell input (label
    ``"input"``) and the last node the cell output (label ``"output"``). Every
    other node carries an operation name of its space. At least one path must
    join input and output. Nodes off every such path are allowed and ignored:
    :meth:`pruned` drops them.

    Two architectures are equal when they describe the same cell: same global
    choices and isomorphic pruned graphs with the same operations. Equality and
    ``hash()`` use the exact canonical form (:meth:`canonical`);
    :attr:`fingerprint` is the NAS-Bench-101-style digest for storage and
    look-up.

    Attributes:
        adjacency: The matrix as a tuple of rows of 0/1 ints, shape ``(n, n)``.
        operations: One label per node, ``n`` strings.
        global_choices: ``(name, value)`` pairs sorted by name.

    Raises:
        InvalidArchitectureError: The matrix is not square, not 0/1, not strictly
            upper-triangular, its size differs from the number of labels, the end
            labels are not ``"input"``/``"output"``, a label has characters other
            than letters, digits and ``_.+-``, or no path joins input and output.
    """

    adjacency: tuple[tuple[int, ...], ...]
    operations: tuple[str, ...]
    global_choices: tuple[tuple[str, GlobalValue], ...] = field(default=())

    def __init__(
        self,
        adjacency: np.ndarray | Sequence[Sequence[int]],
        operations: Sequence[str],
        global_choices: Mapping[str, GlobalValue] | Iterable[tuple[str, GlobalValue]] = (),
    ) -> None:
        matrix = _as_matrix(adjacency)
        labels = tuple(str(label) for label in operations)
        choices = _as_choices(global_choices)
        _check_structure(matrix, labels)
        object.__setattr__(self, "adjacency", tuple(tuple(int(v) for v in row) for row in matrix))
        object.__setattr__(self, "operations", labels)
        object.__setattr__(self, "global_choices", choices)

    # Views

    @property
    def n_nodes(self) -> int:
        """Number of nodes, input and output included."""
        return len(self.operations)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return sum(sum(row) for row in self.adjacency)

    @property
    def matrix(self) -> np.ndarray:
        """The adjacency matrix as a new ``int64`` array, shape ``(n, n)``."""
        return np.array(self.adjacency, dtype=np.int64).reshape(self.n_nodes, self.n_nodes)

    @property
    def cell_operations(self) -> tuple[str, ...]:
        """Operations of the intermediate nodes, input and output left out."""
        return self.operations[1:-1]

    @property
    def choices(self) -> dict[str, GlobalValue]:
        """The global choices as a new dict."""
        return dict(self.global_choices)

    def edges(self) -> list[tuple[int, int]]:
        """Return the edges as ``(source, target)`` pairs in row-major order."""
        return [(int(i), int(j)) for i, j in zip(*np.nonzero(self.matrix), strict=True)]

    def paths(self) -> list[tuple[str, ...]]:
        """Return every input-to-output path as the operations of its intermediate nodes."""
        return [
            tuple(self.operations[node] for node in path) for path in graph.input_output_paths(self.matrix)
        ]

    # Canonical form and identity

    @cached_property
    def is_pruned(self) -> bool:
        """Whether every node lies on an input-to-output path."""
        return bool(np.all(graph.on_path_mask(self.matrix)))

    def pruned(self) -> Architecture:
        """Return the cell without the nodes that lie on no input-to-output path."""
        if self.is_pruned:
            return self
        matrix, labels = graph.prune(self.matrix, self.operations)
        return Architecture(matrix, labels, self.global_choices)

    @cached_property
    def _canonical(self) -> Architecture:
        pruned = self.pruned()
        order = list(graph.canonical_order(pruned.matrix, pruned.operations))
        return Architecture(
            pruned.matrix[np.ix_(order, order)],
            [pruned.operations[v] for v in order],
            self.global_choices,
        )

    def canonical(self) -> Architecture:
        """Return the pruned cell with its nodes in canonical order.

        Isomorphic cells with the same operations and global choices have
        canonical forms with identical fields. The order is topological, so the
        matrix stays upper-triangular.
        """
        return self._canonical

    @cached_property
    def fingerprint(self) -> str:
        """32-hex MD5 digest of the pruned cell, invariant under node relabelling.

        The graph part is :func:`ecgnas.spaces.graph.neighbourhood_hash` over the
        operation names. Global choices, when present, are hashed in as sorted
        JSON, so two architectures that differ only in a global choice differ.
        """
        pruned = self.pruned()
        digest = graph.neighbourhood_hash(pruned.matrix, pruned.operations)
        if not self.global_choices:
            return digest
        text = digest + "|" + json.dumps(dict(self.global_choices), sort_keys=True)
        return hashlib.md5(text.encode("utf-8")).hexdigest()

    def _identity(self) -> tuple[object, ...]:
        canonical = self._canonical
        return (canonical.adjacency, canonical.operations, canonical.global_choices)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Architecture):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    # Text form

    def to_string(self) -> str:
        """Write the architecture as one line that :meth:`from_string` reads back.

        The format is ``OPS;EDGES;CHOICES``: the node labels joined by commas,
        the edges as ``i-j`` joined by commas, and the global choices as compact
        JSON with sorted keys (``{}`` when there are none). The nodes keep their
        order and unpruned nodes stay, so the round trip returns equal fields.

        Example: ``input,conv_k3,output;0-1,1-2,0-2;{"stem_width":16}``.
        """
        edges = ",".join(f"{i}-{j}" for i, j in self.edges())
        choices = json.dumps(dict(self.global_choices), sort_keys=True, separators=(",", ":"))
        return f"{','.join(self.operations)};{edges};{choices}"

    @classmethod
    def from_string(cls, text: str) -> Architecture:
        """Read an architecture written by :meth:`to_string`.

        Raises:
            InvalidArchitectureError: The text does not follow the format, or the
                architecture it describes is invalid.
        """
        parts = text.strip().split(";", 2)
        if len(parts) != 3:
            raise InvalidArchitectureError(
                f"invalid architecture string {text!r}: expected three ';'-separated parts "
                "'OPS;EDGES;CHOICES', for example 'input,conv_k3,output;0-1,1-2;{}'"
            )
        ops_text, edges_text, choices_text = parts
        labels = ops_text.split(",") if ops_text else []
        matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
        for edge in filter(None, edges_text.split(",")):
            source, _, target = edge.partition("-")
            if not (source.isdigit() and target.isdigit()):
                raise InvalidArchitectureError(
                    f"invalid edge {edge!r} in architecture string {text!r}: expected "
                    "'SOURCE-TARGET' with two node indices, for example '0-1'"
                )
            i, j = int(source), int(target)
            if i >= len(labels) or j >= len(labels):
                raise InvalidArchitectureError(
                    f"edge {edge!r} in architecture string {text!r} refers to a node beyond "
                    f"the {len(labels)} labelled nodes; node indices run from 0 to "
                    f"{len(labels) - 1}"
                )
            matrix[i, j] = 1
        try:
            choices = json.loads(choices_text)
        except json.JSONDecodeError as error:
            raise InvalidArchitectureError(
                f"invalid global choices {choices_text!r} in architecture string {text!r}: "
                f'{error.msg}; expected a JSON object such as {{"stem_width":16}}'
            ) from None
        if not isinstance(choices, dict):
            raise InvalidArchitectureError(
                f"invalid global choices {choices_text!r} in architecture string {text!r}: "
                'expected a JSON object such as {"stem_width":16}'
            )
        return cls(matrix, labels, choices)

    # Derived architectures

    def with_choices(self, **changes: GlobalValue) -> Architecture:
        """Return a copy whose global choices are updated by ``changes``."""
        return Architecture(self.matrix, self.operations, {**self.choices, **changes})

    def __repr__(self) -> str:
        return f"Architecture.from_string({self.to_string()!r})"


def _as_matrix(adjacency: np.ndarray | Sequence[Sequence[int]]) -> np.ndarray:
    try:
        matrix = np.asarray(adjacency)
    except ValueError:
        raise InvalidArchitectureError(
            "invalid adjacency matrix: its rows have different lengths; pass a square n x n matrix"
        ) from None
    if matrix.size == 0:
        matrix = matrix.reshape(0, 0)
    return matrix


def _as_choices(
    choices: Mapping[str, GlobalValue] | Iterable[tuple[str, GlobalValue]],
) -> tuple[tuple[str, GlobalValue], ...]:
    pairs = list(choices.items()) if isinstance(choices, Mapping) else list(choices)
    names = [str(name) for name, _ in pairs]
    if len(set(names)) != len(names):
        raise InvalidArchitectureError(
            f"global choices name {sorted(names)} more than once; give each choice one value"
        )
    result: list[tuple[str, GlobalValue]] = []
    for name, value in pairs:
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, (int, float, str, bool)):
            raise InvalidArchitectureError(
                f"global choice {name!r} has value {value!r} of type {type(value).__name__}; "
                "values must be int, float, str or bool"
            )
        result.append((str(name), value))
    return tuple(sorted(result))


def _check_structure(matrix: np.ndarray, labels: tuple[str, ...]) -> None:
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InvalidArchitectureError(f"adjacency matrix has shape {matrix.shape}; it must be square, n x n")

    n = matrix.shape[0]
    if n != len(labels):
        raise InvalidArchitectureError(
            f"adjacency matrix has {n} nodes but {len(labels)} operation labels were given; "
            "give one label per node, 'input' first and 'output' last"
        )

    if n < 2:
        raise InvalidArchitectureError(f"a cell needs at least 2 nodes (input and output), got {n}")

    if not np.all(np.isin(matrix, (0, 1))):
        raise InvalidArchitectureError(
            f"adjacency matrix has entries {sorted(set(matrix.ravel().tolist()) - {0, 1})}; "
            "only 0 and 1 are allowed"
        )

    if np.any(np.tril(matrix)):
        below = [(int(i), int(j)) for i, j in zip(*np.nonzero(np.tril(matrix)), strict=True)]
        raise InvalidArchitectureError(
            f"adjacency matrix has edges {below} on or below the diagonal; a cell is a DAG "
            "written in topological order, so every edge (i, j) needs i < j"
        )

    if labels[0] != INPUT or labels[-1] != OUTPUT:
        raise InvalidArchitectureError(
            f"the first and last labels are {labels[0]!r} and {labels[-1]!r}; they must be "
            f"{INPUT!r} and {OUTPUT!r}"
        )

    misplaced = [label for label in labels[1:-1] if label in (INPUT, OUTPUT)]
    if misplaced:
        raise InvalidArchitectureError(
            f"intermediate nodes are labelled {misplaced}; {INPUT!r} and {OUTPUT!r} are "
            "reserved for the first and last node"
        )

    malformed = [label for label in labels if not _LABEL_PATTERN.match(label)]
    if malformed:
        raise InvalidArchitectureError(
            f"operation labels {malformed} contain characters other than letters, digits "
            "and '_.+-'; rename the operations"
        )

    if not graph.on_path_mask(matrix).any():
        raise InvalidArchitectureError(
            "no path joins the input (node 0) to the output (node "
            f"{n - 1}); add edges so that the output depends on the input"
        )
