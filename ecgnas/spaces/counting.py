"""Sizes of a search space: possible paths and an estimate of distinct cells."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ecgnas.spaces import graph
from ecgnas.spaces.base import SearchSpace, SeedLike, as_generator

MAX_ENUMERATED_ENTRIES = 21
"""Largest number of upper-triangular entries (7 nodes) whose matrices are all enumerated."""


def count_paths(space: SearchSpace) -> int:
    """Return the number of distinct input-to-output operation sequences a cell can hold.

    A path with ``k`` intermediate nodes is one of ``len(operations)**k``
    sequences, and ``k`` runs from 0 to :attr:`SearchSpace.max_path_length`.
    """
    n_operations = len(space.operations)
    return sum(n_operations**length for length in range(space.max_path_length + 1))


@dataclass(frozen=True)
class CellCountEstimate:
    """An estimate of the number of distinct architectures of a space.

    Attributes:
        cells: Estimated distinct cells (up to isomorphism), without global choices.
        architectures: ``cells`` times the number of global-choice combinations.
        standard_error: Standard error of ``cells`` from the Monte Carlo step.
        method: How the number was obtained, in one sentence.
    """

    cells: float
    architectures: float
    standard_error: float
    method: str


def estimate_cell_count(space: SearchSpace, rng: SeedLike, samples_per_size: int = 500) -> CellCountEstimate:
    """Estimate the number of distinct pruned cells of a space.

    For every node count ``n``, the pruned upper-triangular matrices within the
    edge limit are counted (enumerated when there are at most
    2^:data:`MAX_ENUMERATED_ENTRIES` matrices, estimated from random matrices
    otherwise). Each matrix with each operation labelling is one encoding, and
    a cell with ``k`` distinct encodings (its topological orders, up to
    automorphism) is counted ``k`` times, so the number of cells is the sum of
    ``1 / k`` over encodings. That sum is estimated from ``samples_per_size``
    uniformly drawn encodings per node count.

    Args:
        space: The space to measure.
        rng: Seed or generator for the Monte Carlo draws.
        samples_per_size: Encodings drawn per node count.

    Returns:
        The estimate with its standard error and method.
    """
    generator = as_generator(rng)
    n_operations = len(space.operations)
    cells = 0.0
    variance = 0.0
    estimated_matrices = False
    for n in range(2, space.max_nodes + 1):
        entries = n * (n - 1) // 2
        if entries <= MAX_ENUMERATED_ENTRIES:
            matrices = _pruned_matrices(n, space.max_edges)
            count = float(len(matrices))
        else:
            estimated_matrices = True
            matrices, count = _sampled_pruned_matrices(n, space.max_edges, generator, samples_per_size)
        if count == 0 or len(matrices) == 0:
            continue
        encodings = count * float(n_operations) ** (n - 2)
        picks = generator.integers(len(matrices), size=samples_per_size)
        weights = np.empty(samples_per_size)
        for i, pick in enumerate(picks):
            labels = ["input", *generator.integers(n_operations, size=n - 2).astype(str), "output"]
            weights[i] = 1.0 / len(graph.topological_encodings(matrices[pick], labels))
        cells += encodings * weights.mean()
        variance += encodings**2 * weights.var(ddof=1) / samples_per_size
    combinations = math.prod(len(choice.values) for choice in space.global_choices)
    method = (
        "Monte Carlo: pruned DAG matrices counted per node count"
        + (" (estimated from random matrices for the largest sizes)" if estimated_matrices else "")
        + f", {samples_per_size} random labelled encodings per size weighted by 1/(number of"
        " encodings of their cell)"
    )
    return CellCountEstimate(
        cells=cells,
        architectures=cells * combinations,
        standard_error=math.sqrt(variance),
        method=method,
    )


def _pruned_matrices(n: int, max_edges: int) -> np.ndarray:
    """Enumerate the ``n``-node upper-triangular matrices of pruned cells.

    A matrix is pruned when every node but the input has a predecessor and
    every node but the output a successor: following predecessors from any
    node then ends at the input, and following successors at the output.

    Returns:
        0/1 array, shape ``(count, n, n)``.
    """
    rows, cols = np.triu_indices(n, k=1)
    entries = rows.size
    codes = np.arange(2**entries, dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(entries)) & 1).astype(np.uint8)  # (2^entries, entries)
    keep = bits.sum(axis=1) <= max_edges
    bits = bits[keep]
    in_degree = np.zeros((bits.shape[0], n), dtype=np.uint8)
    out_degree = np.zeros((bits.shape[0], n), dtype=np.uint8)
    for k in range(entries):
        in_degree[:, cols[k]] += bits[:, k]
        out_degree[:, rows[k]] += bits[:, k]
    valid = np.all(in_degree[:, 1:] > 0, axis=1) & np.all(out_degree[:, :-1] > 0, axis=1)
    bits = bits[valid]
    matrices = np.zeros((bits.shape[0], n, n), dtype=np.uint8)
    matrices[:, rows, cols] = bits
    return matrices


def _sampled_pruned_matrices(
    n: int, max_edges: int, generator: np.random.Generator, wanted: int
) -> tuple[np.ndarray, float]:
    """Estimate the number of pruned ``n``-node matrices and return some of them.

    Draws random upper-triangular matrices (every entry 1 with probability 1/2)
    until ``wanted`` pruned ones within the edge limit are found or a million
    were drawn. The count is the total number of matrices times the accepted
    fraction.
    """
    rows, cols = np.triu_indices(n, k=1)
    accepted: list[np.ndarray] = []
    drawn = 0
    while len(accepted) < wanted and drawn < 1_000_000:
        batch = generator.integers(0, 2, size=(10_000, rows.size), dtype=np.uint8)
        drawn += batch.shape[0]
        matrices = np.zeros((batch.shape[0], n, n), dtype=np.uint8)
        matrices[:, rows, cols] = batch
        ok = (batch.sum(axis=1) <= max_edges) & np.all(matrices.sum(axis=1)[:, 1:] > 0, axis=1)
        ok &= np.all(matrices.sum(axis=2)[:, :-1] > 0, axis=1)
        accepted.extend(matrices[ok])
    count = 2.0**rows.size * len(accepted) / drawn
    return np.array(accepted[:wanted]), count
