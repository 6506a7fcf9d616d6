"""The hard encoder: the fixed path encoding and the distance it defines.

Two cells are close when they share most input-to-output paths. The distance
is the Hamming distance between binary path encodings
(:meth:`SearchSpace.path_encoding`), the encoding that White et al. (2021,
"BANANAS", https://arxiv.org/abs/1910.11858) showed to track accuracy well.
Nothing here is learned.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace


class PathEncoder:
    """Path encodings of one space, cached by architecture string.

    Args:
        space: The space whose :meth:`~SearchSpace.path_encoding` is used.
    """

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Return the path encodings of ``archs``, float32 0/1, shape ``(len(archs), size)``."""
        rows = []
        for arch in archs:
            key = arch.to_string()
            row = self._cache.get(key)
            if row is None:
                row = self.space.path_encoding(arch)
                self._cache[key] = row
            rows.append(row)
        return np.stack(rows)


def hamming_distances(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Hamming distances between the rows of two 0/1 matrices.

    Args:
        first: Shape ``(n, size)``.
        second: Shape ``(m, size)``.

    Returns:
        float32 array, shape ``(n, m)``.
    """
    a = torch.from_numpy(np.ascontiguousarray(first, dtype=np.float32))
    b = torch.from_numpy(np.ascontiguousarray(second, dtype=np.float32))
    # |a xor b| = |a| + |b| - 2 a.b for 0/1 vectors.
    distances = a.sum(1, keepdim=True) + b.sum(1).unsqueeze(0) - 2.0 * (a @ b.T)
    return distances.numpy()


def nearest_neighbours(codes: np.ndarray, k: int, chunk: int = 2048) -> np.ndarray:
    """Find, for every row, the ``k`` other rows nearest under Hamming distance.

    Ties are broken by row index, so the result is deterministic. A row never
    counts as its own neighbour, but an identical code in another row (an
    isomorphic duplicate, or a different cell with the same paths) does.

    Args:
        codes: 0/1 path encodings, shape ``(n, size)`` with ``n > k``.
        k: Neighbours per row.
        chunk: Rows compared at once, which bounds memory to ``chunk * n`` floats.

    Returns:
        int64 indices, shape ``(n, k)``, nearest first.
    """
    n = codes.shape[0]
    result = np.empty((n, k), dtype=np.int64)
    # A tiny index-proportional term breaks ties in favour of lower indices.
    tie_break = np.arange(n, dtype=np.float64) / (2.0 * n)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        distances = hamming_distances(codes[start:stop], codes).astype(np.float64) + tie_break
        distances[np.arange(stop - start), np.arange(start, stop)] = np.inf
        nearest = np.argpartition(distances, k, axis=1)[:, :k]
        order = np.take_along_axis(distances, nearest, axis=1).argsort(axis=1)
        result[start:stop] = np.take_along_axis(nearest, order, axis=1)
    return result
