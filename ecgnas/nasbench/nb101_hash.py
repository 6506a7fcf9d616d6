"""The NAS-Bench-101 module hash, and its check against the cell table.

NAS-Bench-101 (Ying et al., ICML 2019, "NAS-Bench-101: Towards Reproducible
Neural Architecture Search") keys its results by a 32-hex MD5 fingerprint of
the pruned cell: the iterative neighbourhood hash of
:func:`ecgnas.spaces.graph.neighbourhood_hash` with the node labels -1 for the
input, -2 for the output and, for every other node, the index of its operation
in :data:`OPERATIONS`. The check functions here recompute that hash for the
cells of ``nb101_cells_all.npz`` and compare it with the stored one.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ecgnas.spaces import graph
from ecgnas.spaces.architecture import INPUT, OUTPUT, Architecture

if TYPE_CHECKING:
    from ecgnas.nasbench.nb101_cells import NasBench101Cells

logger = logging.getLogger(__name__)

OPERATIONS: tuple[str, ...] = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
"""Intermediate operations in the order NAS-Bench-101 numbers them for hashing."""

INPUT_LABEL = -1
OUTPUT_LABEL = -2


def hash_labels(operations: Sequence[str]) -> list[int]:
    """Translate node operations to the integer labels that the NAS-Bench-101 hash reads.

    Raises:
        ValueError: An intermediate node has an operation outside :data:`OPERATIONS`,
            or the ends are not ``"input"`` and ``"output"``.
    """
    if len(operations) < 2 or operations[0] != INPUT or operations[-1] != OUTPUT:
        raise ValueError(
            f"node operations {list(operations)} must start with {INPUT!r} and end with {OUTPUT!r}"
        )
    unknown = sorted(set(operations[1:-1]) - set(OPERATIONS))
    if unknown:
        raise ValueError(f"operations {unknown} are not NAS-Bench-101 operations {list(OPERATIONS)}")
    return [INPUT_LABEL, *(OPERATIONS.index(name) for name in operations[1:-1]), OUTPUT_LABEL]


def module_hash(matrix: np.ndarray, operations: Sequence[str]) -> str:
    """Return the NAS-Bench-101 hash of a pruned cell.

    Args:
        matrix: Upper-triangular 0/1 adjacency of the pruned cell, shape ``(n, n)``.
        operations: ``n`` node operations, ``"input"`` first and ``"output"`` last.
    """
    return graph.neighbourhood_hash(np.asarray(matrix), hash_labels(operations))


def architecture_hash(arch: Architecture) -> str:
    """Return the NAS-Bench-101 hash of ``arch`` after pruning; the key of its table row.

    Results are memoised on the architecture's fields, so hashing the same
    architecture again costs a dictionary look-up.

    Raises:
        ValueError: ``arch`` has an operation outside :data:`OPERATIONS`.
    """
    return _hash_of_fields(arch.adjacency, arch.operations)


@functools.lru_cache(maxsize=1 << 16)
def _hash_of_fields(adjacency: tuple[tuple[int, ...], ...], operations: tuple[str, ...]) -> str:
    n = len(operations)
    matrix, labels = graph.prune(np.array(adjacency, dtype=np.int64).reshape(n, n), operations)
    return module_hash(matrix, labels)


@dataclass(frozen=True)
class HashCheck:
    """Outcome of recomputing stored NAS-Bench-101 hashes.

    Attributes:
        checked: Number of cells whose hash was recomputed.
        mismatched_rows: Table rows whose recomputed hash differs from the stored one.
        seconds: Wall time of the check.
    """

    checked: int
    mismatched_rows: tuple[int, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether every recomputed hash equals the stored one."""
        return not self.mismatched_rows


def check_cell_hashes(cells: NasBench101Cells, rows: np.ndarray | None = None, workers: int = 1) -> HashCheck:
    """Recompute the hash of table rows and compare each with the stored hash.

    Args:
        cells: The NAS-Bench-101 cell table.
        rows: Table rows to check (default: all 423,624).
        workers: Processes that share the work; 1 checks in this process.
    """
    start = time.perf_counter()
    selected = np.arange(len(cells)) if rows is None else np.asarray(rows, dtype=np.int64)
    if workers <= 1 or selected.size < 10_000:
        mismatched = _mismatches(
            cells.num_vertices[selected],
            cells.adjacency[selected],
            cells.ops[selected],
            cells.hashes[selected],
            selected,
        )
    else:
        chunks = np.array_split(selected, workers * 8)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(
                    _mismatches,
                    cells.num_vertices[chunk],
                    cells.adjacency[chunk],
                    cells.ops[chunk],
                    cells.hashes[chunk],
                    chunk,
                )
                for chunk in chunks
            ]
            mismatched = [row for future in futures for row in future.result()]
    seconds = time.perf_counter() - start
    logger.info(
        "Checked %d NAS-Bench-101 hashes in %.1f s: %d mismatches", selected.size, seconds, len(mismatched)
    )
    return HashCheck(int(selected.size), tuple(sorted(mismatched)), seconds)


def _mismatches(
    num_vertices: np.ndarray, adjacency: np.ndarray, ops: np.ndarray, hashes: np.ndarray, rows: np.ndarray
) -> list[int]:
    # Imported here so that worker processes import only what they need.
    from ecgnas.nasbench.nb101_cells import cell_matrix, cell_operations

    mismatched = []
    for position, row in enumerate(rows.tolist()):
        n = int(num_vertices[position])
        matrix = cell_matrix(adjacency[position], n)
        operations = cell_operations(ops[position], n)
        if module_hash(matrix, operations) != bytes(hashes[position]).hex():
            mismatched.append(int(row))
    return mismatched
