"""The NAS-Bench-201 cell: its arch strings, op codes and operation-node graph.

A NAS-Bench-201 cell (Dong and Yang, ICLR 2020, "NAS-Bench-201: Extending the
Scope of Reproducible Neural Architecture Search") has four nodes and an
operation on each of the six edges ``i -> j`` with ``i < j``. Node ``j`` sums the
outputs of its incoming edges, node 0 is the cell input and node 3 its output.
The official text form lists the incoming edges of nodes 1, 2 and 3::

    |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|

where ``op~i`` is the operation on the edge from node ``i``. Edges are numbered
in that order: ``1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2``.

For the shared architecture representation, each edge becomes an operation
node (the usual conversion for operation-on-edge cells): the node of edge
``i -> j`` feeds the nodes of the edges leaving ``j``, or the output when
``j = 3``, and is fed by the input when ``i = 0``. Edges with ``none`` carry
nothing and are removed, and so are edges that no longer lie on an
input-to-output path. A cell with no such path at all outputs zeros; it becomes
the *zero cell* ``input -> none -> output``, the one place where ``none`` labels
a node.
"""

from __future__ import annotations

import numpy as np

from ecgnas.nasbench.errors import BenchmarkFileError

OPERATIONS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
"""Edge operations, indexed by their NAS-Bench-201 op code 0-4."""

NONE = 0
"""Op code of ``none``, the edge that carries nothing."""

EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
"""The six edges ``(source, target)`` in arch-string order."""

N_EDGES = len(EDGES)
N_CELLS = len(OPERATIONS) ** N_EDGES
"""Number of cells: 5 operations on 6 edges, 15,625."""

ZERO_CELL_OPERATION = "none"
"""Label of the single intermediate node of the zero cell."""

Codes = tuple[int, ...]
"""Six op codes, one per edge in :data:`EDGES` order."""


def parse_arch_string(text: str) -> Codes:
    """Read an official arch string into six op codes.

    Raises:
        ValueError: The text is not of the form
            ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`` with known operations.
    """
    example = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
    groups = text.strip().split("+")
    if len(groups) != 3:
        raise ValueError(
            f"invalid NAS-Bench-201 arch string {text!r}: expected 3 '+'-separated node "
            f"groups, got {len(groups)}; for example {example}"
        )
    codes: list[int] = []
    for target, group in enumerate(groups, start=1):
        if not (group.startswith("|") and group.endswith("|")):
            raise ValueError(
                f"invalid NAS-Bench-201 arch string {text!r}: node group {group!r} must start "
                f"and end with '|'; for example {example}"
            )
        tokens = group[1:-1].split("|")
        if len(tokens) != target:
            raise ValueError(
                f"invalid NAS-Bench-201 arch string {text!r}: node {target} needs {target} "
                f"incoming edges, got {len(tokens)} in {group!r}"
            )
        for source, token in enumerate(tokens):
            name, _, index = token.partition("~")
            if index != str(source):
                raise ValueError(
                    f"invalid NAS-Bench-201 arch string {text!r}: edge {token!r} should come "
                    f"from node {source}, written '{name}~{source}'"
                )
            if name not in OPERATIONS:
                raise ValueError(
                    f"invalid NAS-Bench-201 arch string {text!r}: unknown operation {name!r}; "
                    f"allowed operations: {list(OPERATIONS)}"
                )
            codes.append(OPERATIONS.index(name))
    # The string groups edges by target node, which is EDGES order already.
    return tuple(codes)


def format_arch_string(codes: Codes) -> str:
    """Write six op codes as the official arch string."""
    check_codes(codes)
    groups = []
    for target in (1, 2, 3):
        tokens = [
            f"{OPERATIONS[code]}~{source}"
            for (source, edge_target), code in zip(EDGES, codes, strict=True)
            if edge_target == target
        ]
        groups.append("|" + "|".join(tokens) + "|")
    return "+".join(groups)


def check_codes(codes: Codes) -> None:
    """Raise ``ValueError`` unless ``codes`` contains six op codes from 0 to 4."""
    if len(codes) != N_EDGES or any(not 0 <= int(code) < len(OPERATIONS) for code in codes):
        raise ValueError(
            f"invalid NAS-Bench-201 op codes {tuple(codes)}: expected {N_EDGES} codes from 0 to "
            f"{len(OPERATIONS) - 1}, one per edge"
        )


def cell_index(codes: Codes) -> int:
    """Return the position of ``codes`` when all cells are listed in lexicographic code order.

    The codes are read as a base-5 number, first edge most significant.
    """
    check_codes(codes)
    index = 0
    for code in codes:
        index = index * len(OPERATIONS) + int(code)
    return index


def all_cell_codes() -> np.ndarray:
    """Return the op codes of every cell in :func:`cell_index` order, uint8, shape ``(15625, 6)``."""
    index = np.arange(N_CELLS)
    digits = [(index // len(OPERATIONS) ** power) % len(OPERATIONS) for power in range(N_EDGES - 1, -1, -1)]
    return np.stack(digits, axis=1).astype(np.uint8)


def live_codes(codes: Codes) -> Codes:
    """Return ``codes`` with every edge off all input-to-output paths set to ``none``.

    An edge ``i -> j`` is live when it is not ``none``, node ``i`` is reached from
    the input and node ``j`` reaches the output, both through edges that are not
    ``none``. Two cells with equal live codes compute the same function.
    """
    check_codes(codes)
    active = [int(code) != NONE for code in codes]
    reached = [True, False, False, False]
    for (source, target), on in zip(EDGES, active, strict=True):
        # EDGES is sorted by target, so every source is settled before it is read.
        if on and reached[source]:
            reached[target] = True
    reaches = [False, False, False, True]
    # Visiting edges by decreasing source settles every target before it is read.
    for (source, target), on in sorted(zip(EDGES, active, strict=True), key=lambda item: -item[0][0]):
        if on and reaches[target]:
            reaches[source] = True
    return tuple(
        int(code) if on and reached[source] and reaches[target] else NONE
        for (source, target), code, on in zip(EDGES, codes, active, strict=True)
    )


def operation_graph(codes: Codes) -> tuple[np.ndarray, tuple[str, ...]]:
    """Convert a cell to its pruned operation-node graph.

    Returns:
        The upper-triangular adjacency matrix, int64, shape ``(n, n)`` with
        ``n`` = 2 + the number of live edges (3 for the zero cell), and the node
        labels: ``"input"``, the operation of each live edge in :data:`EDGES`
        order, ``"output"``.
    """
    live = live_codes(codes)
    edges = [edge for edge, code in enumerate(live) if code != NONE]
    if not edges:
        matrix = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=np.int64)
        return matrix, ("input", ZERO_CELL_OPERATION, "output")
    n = len(edges) + 2
    node_of_edge = {edge: position + 1 for position, edge in enumerate(edges)}
    matrix = np.zeros((n, n), dtype=np.int64)
    for edge in edges:
        source, target = EDGES[edge]
        node = node_of_edge[edge]
        if source == 0:
            matrix[0, node] = 1
        if target == 3:
            matrix[node, n - 1] = 1
        for follower in edges:
            if EDGES[follower][0] == target:
                matrix[node, node_of_edge[follower]] = 1
    labels = ("input", *(OPERATIONS[live[edge]] for edge in edges), "output")
    return matrix, labels


def codes_from_text(path: object, text: str) -> Codes:
    """Parse an op-code column cell such as ``3-3-3-1-3-3``.

    Raises:
        BenchmarkFileError: The cell does not hold six codes from 0 to 4.
    """
    try:
        codes = tuple(int(part) for part in text.split("-"))
        check_codes(codes)
    except ValueError:
        raise BenchmarkFileError(
            f"op_codes value {text!r} in {path} is invalid: expected six codes 0-4 joined by "
            "'-'; the file is corrupt, replace it with an intact copy"
        ) from None
    return codes
