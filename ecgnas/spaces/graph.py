"""Graph algorithms on cell DAGs given as upper-triangular 0/1 adjacency matrices.

Node 0 is the cell input and node ``n - 1`` its output. Every function here is
pure: it reads numpy arrays and label sequences and returns new values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import numpy as np

MAX_CANONICAL_BRANCHES = 40_320
"""Most vertex orders that :func:`canonical_order` compares (8!, all orders of 8 tied nodes)."""


def on_path_mask(adjacency: np.ndarray) -> np.ndarray:
    """Mark the nodes that lie on at least one input-to-output path.

    Args:
        adjacency: Upper-triangular 0/1 matrix, shape ``(n, n)``.

    Returns:
        Boolean mask, shape ``(n,)``. All false when no path joins input and output.
    """
    n = adjacency.shape[0]
    reached = np.zeros(n, dtype=bool)
    reached[0] = True
    # Upper-triangular order is a topological order, so one forward sweep finds
    # every node reachable from the input and one backward sweep every node that
    # reaches the output.
    for node in range(1, n):
        reached[node] = bool(np.any(adjacency[:node, node].astype(bool) & reached[:node]))
    reaching = np.zeros(n, dtype=bool)
    reaching[n - 1] = True
    for node in range(n - 2, -1, -1):
        reaching[node] = bool(np.any(adjacency[node, node + 1 :].astype(bool) & reaching[node + 1 :]))
    mask = reached & reaching
    if not mask[0] or not mask[n - 1]:
        return np.zeros(n, dtype=bool)
    return mask


def prune(adjacency: np.ndarray, labels: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Drop the nodes and edges that are on no input-to-output path.

    Such nodes cannot change the cell's output, so a pruned cell computes the
    same function as the original (the convention of NAS-Bench-101).

    Args:
        adjacency: Upper-triangular 0/1 matrix, shape ``(n, n)``.
        labels: One label per node.

    Returns:
        The pruned matrix, shape ``(m, m)`` with ``m <= n``, and its labels.
        When no path exists the result has zero nodes.
    """
    keep = on_path_mask(adjacency)
    pruned = adjacency[np.ix_(keep, keep)].copy()
    return pruned, tuple(label for label, kept in zip(labels, keep, strict=True) if kept)


def neighbourhood_hash(adjacency: np.ndarray, labels: Sequence[int | str]) -> str:
    """Hash a labelled DAG so that isomorphic graphs get the same 32-hex MD5 digest.

    This is the iterative neighbourhood hashing of NAS-Bench-101 (Ying et al.,
    2019, "NAS-Bench-101: Towards Reproducible Neural Architecture Search"), a
    Weisfeiler-Lehman refinement. Every node starts from the hash of its
    out-degree, in-degree and label. Then, for ``n`` rounds, it rehashes the
    sorted hashes of its predecessors, of its successors and its own hash. The
    sorted node hashes are hashed once more. Given the NAS-Bench-101 integer labels
    (-1 input, -2 output, otherwise the operation's index) it reproduces that
    benchmark's module hashes; the tests check this against its cell table.

    Non-isomorphic graphs can collide in principle; NAS-Bench-101 reports no
    collision among its 423,624 cells.

    Args:
        adjacency: Upper-triangular 0/1 matrix, shape ``(n, n)``, usually pruned.
        labels: One label per node, integers or strings.

    Returns:
        32 lowercase hexadecimal characters.
    """
    return _md5(str(sorted(node_hashes(adjacency, labels))))


def node_hashes(adjacency: np.ndarray, labels: Sequence[int | str]) -> list[str]:
    """Refine node hashes as :func:`neighbourhood_hash` does and return them, one per node.

    Corresponding nodes of isomorphic graphs get equal hashes, which
    :func:`canonical_order` uses to order nodes.
    """
    n = adjacency.shape[0]
    matrix = adjacency.astype(bool)
    in_degree = [int(value) for value in matrix.sum(axis=0)]
    out_degree = [int(value) for value in matrix.sum(axis=1)]
    # The initial text is the str() of a Python tuple, as in NAS-Bench-101, so
    # numpy integers become Python ints first (their repr differs).
    plain = [int(label) if isinstance(label, (int, np.integer)) else str(label) for label in labels]
    hashes = [_md5(f"({out_degree[v]}, {in_degree[v]}, {plain[v]!r})") for v in range(n)]
    predecessors = [np.flatnonzero(matrix[:, v]).tolist() for v in range(n)]
    successors = [np.flatnonzero(matrix[v, :]).tolist() for v in range(n)]
    for _ in range(n):
        hashes = [
            _md5(
                "".join(sorted(hashes[w] for w in predecessors[v]))
                + "|"
                + "".join(sorted(hashes[w] for w in successors[v]))
                + "|"
                + hashes[v]
            )
            for v in range(n)
        ]
    return hashes


def canonical_order(adjacency: np.ndarray, labels: Sequence[int | str]) -> tuple[int, ...]:
    """Find a vertex order that maps every isomorphic copy of a DAG to one matrix.

    The order is topological, so the reordered matrix stays upper-triangular.
    It is built greedily: among the nodes whose predecessors are all placed,
    place the one with the smallest refined hash (:func:`node_hashes`). When
    several such nodes share that hash every choice is followed, and the order
    whose reordered ``(labels, matrix)`` sorts first wins. The candidates
    depend only on isomorphism-invariant data, so the result is an exact
    canonical form, not a hash. Ties are rare except among interchangeable
    parallel nodes.

    Args:
        adjacency: Upper-triangular 0/1 matrix, shape ``(n, n)``.
        labels: One label per node; labels compare as strings.

    Returns:
        ``order`` such that ``adjacency[np.ix_(order, order)]`` is canonical.

    Raises:
        ValueError: More than :data:`MAX_CANONICAL_BRANCHES` orders would need comparing.
    """
    hashes = node_hashes(adjacency, labels)
    best_key: tuple[tuple[str, ...], bytes] | None = None
    best_order: tuple[int, ...] = ()
    for count, order in enumerate(_greedy_orders(adjacency.astype(bool), hashes), start=1):
        if count > MAX_CANONICAL_BRANCHES:
            raise ValueError(
                f"canonical ordering needs more than {MAX_CANONICAL_BRANCHES} branches for a "
                f"{adjacency.shape[0]}-node cell; reduce the number of interchangeable nodes"
            )
        index = list(order)
        key = (
            tuple(str(labels[v]) for v in index),
            np.packbits(adjacency[np.ix_(index, index)].astype(bool)).tobytes(),
        )
        if best_key is None or key < best_key:
            best_key, best_order = key, order
    return best_order


def _greedy_orders(matrix: np.ndarray, hashes: Sequence[str]) -> Iterator[tuple[int, ...]]:
    """Yield the topological orders that place the smallest available hash first."""
    n = matrix.shape[0]
    remaining_in = matrix.sum(axis=0).astype(int)

    def extend(order: list[int], placed: np.ndarray) -> Iterator[tuple[int, ...]]:
        if len(order) == n:
            yield tuple(order)
            return
        available = [v for v in range(n) if not placed[v] and remaining_in[v] == 0]
        smallest = min(hashes[v] for v in available)
        for v in (v for v in available if hashes[v] == smallest):
            successors = np.flatnonzero(matrix[v])
            placed[v] = True
            remaining_in[successors] -= 1
            order.append(v)
            yield from extend(order, placed)
            order.pop()
            remaining_in[successors] += 1
            placed[v] = False

    yield from extend([], np.zeros(n, dtype=bool))


def input_output_paths(adjacency: np.ndarray) -> list[tuple[int, ...]]:
    """List every input-to-output path as its sequence of intermediate node indices.

    The direct edge from input to output gives the empty path ``()``.
    """
    n = adjacency.shape[0]
    matrix = adjacency.astype(bool)
    paths: list[tuple[int, ...]] = []

    def walk(node: int, trail: tuple[int, ...]) -> None:
        for successor in np.flatnonzero(matrix[node]).tolist():
            if successor == n - 1:
                paths.append(trail)
            else:
                walk(successor, (*trail, successor))

    walk(0, ())
    return paths


def topological_encodings(adjacency: np.ndarray, labels: Sequence[str]) -> set[tuple[bytes, tuple[str, ...]]]:
    """Collect the distinct upper-triangular encodings of one labelled DAG.

    Every topological order writes the same cell as an upper-triangular matrix
    and a label tuple; automorphisms make some of them equal. For a pruned cell
    the size of the result is the number of times the cell appears among all
    upper-triangular encodings with its number of nodes.
    """
    matrix = adjacency.astype(bool)
    encodings: set[tuple[bytes, tuple[str, ...]]] = set()
    for order in _topological_orders(matrix):
        index = list(order)
        encodings.add((np.packbits(matrix[np.ix_(index, index)]).tobytes(), tuple(labels[v] for v in index)))
    return encodings


def _topological_orders(matrix: np.ndarray) -> Iterator[tuple[int, ...]]:
    """Yield every topological order of a DAG."""
    n = matrix.shape[0]
    remaining_in = matrix.sum(axis=0).astype(int)
    placed = np.zeros(n, dtype=bool)
    order: list[int] = []

    def extend() -> Iterator[tuple[int, ...]]:
        if len(order) == n:
            yield tuple(order)
            return
        for v in [v for v in range(n) if not placed[v] and remaining_in[v] == 0]:
            successors = np.flatnonzero(matrix[v])
            placed[v] = True
            remaining_in[successors] -= 1
            order.append(v)
            yield from extend()
            order.pop()
            remaining_in[successors] += 1
            placed[v] = False

    yield from extend()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()
