"""The NAS-Bench-101 cell space: all 423,624 unique cells, without results.

``nb101_cells_all.npz`` contains every pruned cell with at most 7 nodes and 9
edges and the three NAS-Bench-101 operations, one row per hash, rows sorted by
hash. Cells are stored as the 21 upper-triangle entries of a 7 x 7 adjacency
matrix and 7 op codes (-1 past the last node).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from ecgnas.nasbench.errors import BenchmarkFileError, NotInBenchmarkError
from ecgnas.nasbench.files import NB101_CELLS, nasbench_dir, require_file

N_CELLS = 423_624
"""Number of unique NAS-Bench-101 cells, as the NAS-Bench-101 paper counts them."""

MAX_NODES = 7
MAX_EDGES = 9

VOCABULARY: tuple[str, ...] = ("input", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "output")
"""Node labels by op code in the ``.npz`` file."""

_UPPER = np.triu_indices(MAX_NODES, k=1)


def cell_matrix(upper: np.ndarray, n: int) -> np.ndarray:
    """Expand 21 upper-triangle entries to the ``(n, n)`` int64 adjacency of an ``n``-node cell."""
    matrix = np.zeros((MAX_NODES, MAX_NODES), dtype=np.int64)
    matrix[_UPPER] = upper
    return matrix[:n, :n]


def cell_operations(codes: np.ndarray, n: int) -> tuple[str, ...]:
    """Translate the first ``n`` op codes of a row to node labels."""
    return tuple(VOCABULARY[int(code)] for code in codes[:n])


def hash_keys(hashes: np.ndarray) -> np.ndarray:
    """Return the first 8 bytes of each 16-byte hash as a big-endian uint64, shape ``(N,)``.

    Sorting by these keys sorts by hash, so :func:`numpy.searchsorted` finds rows.
    """
    return np.ascontiguousarray(hashes[:, :8]).view(">u8").ravel().astype(np.uint64)


def hash_bytes(text: str) -> np.ndarray:
    """Convert a 32-hex hash to its 16 bytes, uint8.

    Raises:
        ValueError: ``text`` is not 32 hexadecimal characters.
    """
    try:
        raw = bytes.fromhex(text)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 16 or len(text) != 32:
        raise ValueError(f"{text!r} is not a NAS-Bench-101 hash; expected 32 hexadecimal characters")
    return np.frombuffer(raw, dtype=np.uint8)


def find_rows(table_hashes: np.ndarray, table_keys: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Return the row of each hash in a hash-sorted table, or -1 where it is absent.

    Args:
        table_hashes: The table's hashes, uint8, shape ``(N, 16)``, sorted.
        table_keys: :func:`hash_keys` of ``table_hashes``.
        hashes: Hashes to find, uint8, shape ``(M, 16)``.

    Returns:
        int64 array, shape ``(M,)``.
    """
    queries = np.atleast_2d(hashes)
    keys = hash_keys(queries)
    rows = np.searchsorted(table_keys, keys, side="left")
    found = np.full(len(queries), -1, dtype=np.int64)
    for position, start in enumerate(rows.tolist()):
        # Several hashes may share their first 8 bytes; scan the run of equal keys.
        row = start
        while row < len(table_keys) and table_keys[row] == keys[position]:
            if np.array_equal(table_hashes[row], queries[position]):
                found[position] = row
                break
            row += 1
    return found


def find_row(table_hashes: np.ndarray, table_keys: np.ndarray, module_hash: str) -> int | None:
    """Return the row of one 32-hex hash in a hash-sorted table, or ``None``.

    Raises:
        ValueError: ``module_hash`` is not 32 hexadecimal characters.
    """
    requested = hash_bytes(module_hash).tobytes()
    key = np.uint64(int.from_bytes(requested[:8], "big"))
    row = int(table_keys.searchsorted(key))
    while row < len(table_keys) and table_keys[row] == key:
        if table_hashes[row].tobytes() == requested:
            return row
        row += 1
    return None


@dataclass(frozen=True)
class NasBench101Cells:
    """Every NAS-Bench-101 cell, rows sorted by hash.

    Attributes:
        hashes: Module hashes, uint8, shape ``(N, 16)``.
        num_vertices: Nodes per cell, 2 to 7, shape ``(N,)``.
        adjacency: Upper-triangle entries, uint8 0/1, shape ``(N, 21)``.
        ops: Op codes into :data:`VOCABULARY`, int8, shape ``(N, 7)``, -1 past the last node.
    """

    hashes: np.ndarray
    num_vertices: np.ndarray
    adjacency: np.ndarray
    ops: np.ndarray
    keys: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", hash_keys(self.hashes))

    def __len__(self) -> int:
        return int(self.hashes.shape[0])

    def hash_of(self, row: int) -> str:
        """Return the 32-hex hash of a row."""
        return bytes(self.hashes[row]).hex()

    def cell(self, row: int) -> tuple[np.ndarray, tuple[str, ...]]:
        """Return the adjacency matrix (int64, ``(n, n)``) and node labels of a row."""
        n = int(self.num_vertices[row])
        return cell_matrix(self.adjacency[row], n), cell_operations(self.ops[row], n)

    def find(self, module_hash: str) -> int | None:
        """Return the row of a 32-hex hash, or ``None`` if no cell has it."""
        return find_row(self.hashes, self.keys, module_hash)

    def row_of(self, module_hash: str) -> int:
        """Return the row of a 32-hex hash.

        Raises:
            NotInBenchmarkError: No cell has this hash.
        """
        row = self.find(module_hash)
        if row is None:
            raise NotInBenchmarkError(
                f"no NAS-Bench-101 cell has the hash {module_hash}; the cell is outside the "
                f"space (at most {MAX_NODES} nodes, {MAX_EDGES} edges, operations "
                f"{list(VOCABULARY[1:-1])})"
            )
        return row


def load_nb101_cells(data_dir: str | os.PathLike | None = None) -> NasBench101Cells:
    """Load ``nb101_cells_all.npz`` and check its layout.

    Raises:
        DataNotFoundError: The file is missing.
        BenchmarkFileError: The file is corrupt, has other keys, shapes or
            vocabulary, lacks cells, or its rows are not sorted by hash.
    """
    path = require_file(nasbench_dir(data_dir), NB101_CELLS)
    expected = {"hash_md5": 2, "num_vertices": 1, "adj_upper21": 2, "ops": 2, "ops_vocab": 1}
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = sorted(set(expected) - set(archive.files))
            if missing:
                raise BenchmarkFileError(
                    f"{path} lacks the arrays {missing}; found {sorted(archive.files)}. Replace "
                    "it with the NAS-Bench-101 cell table that ecgnas expects"
                )
            arrays = {key: archive[key] for key in expected}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, BenchmarkFileError):
            raise
        raise BenchmarkFileError(
            f"cannot read {path}: {error}; the file is corrupt or truncated, replace it with an intact copy"
        ) from error

    vocabulary = tuple(str(name) for name in arrays["ops_vocab"])
    if vocabulary != VOCABULARY:
        raise BenchmarkFileError(
            f"{path} has the op vocabulary {list(vocabulary)}; expected {list(VOCABULARY)}"
        )
    n = arrays["hash_md5"].shape[0]
    shapes = {
        "hash_md5": (n, 16),
        "num_vertices": (n,),
        "adj_upper21": (n, len(_UPPER[0])),
        "ops": (n, MAX_NODES),
    }
    for key, shape in shapes.items():
        if arrays[key].shape != shape:
            raise BenchmarkFileError(
                f"array {key!r} of {path} has shape {arrays[key].shape}; expected {shape}. "
                "Replace the file with an intact copy"
            )
    if n != N_CELLS:
        raise BenchmarkFileError(
            f"{path} contains {n} cells; NAS-Bench-101 has {N_CELLS}. Replace it with the complete table"
        )
    _check_cells(path, arrays)
    cells = NasBench101Cells(
        hashes=arrays["hash_md5"].astype(np.uint8),
        num_vertices=arrays["num_vertices"].astype(np.uint8),
        adjacency=arrays["adj_upper21"].astype(np.uint8),
        ops=arrays["ops"].astype(np.int8),
    )
    if np.any(cells.keys[1:] < cells.keys[:-1]):
        raise BenchmarkFileError(f"the rows of {path} are not sorted by hash; replace it with an intact copy")
    return cells


def _check_cells(path: object, arrays: dict[str, np.ndarray]) -> None:
    """Check that every row is a pruned cell within the NAS-Bench-101 limits.

    An upper-triangular graph is pruned exactly when the input has an outgoing
    edge, the output an incoming one, and every other node both: following
    edges backwards from any node then ends at the input, and forwards at the
    output. The vectorised check lets the spaces build architectures from rows
    without validating each one again.

    Raises:
        BenchmarkFileError: Naming the first offending row.
    """
    n = arrays["num_vertices"].astype(np.int64)
    ops = arrays["ops"].astype(np.int64)
    upper = arrays["adj_upper21"].astype(np.float32)
    # Degrees as products with the edge-to-node incidence matrices, shape (N, 7).
    sources = np.zeros((len(_UPPER[0]), MAX_NODES), dtype=np.float32)
    sources[np.arange(len(_UPPER[0])), _UPPER[0]] = 1
    targets = np.zeros_like(sources)
    targets[np.arange(len(_UPPER[1])), _UPPER[1]] = 1
    out_degree, in_degree = upper @ sources, upper @ targets
    node = np.arange(MAX_NODES)[None, :]
    present = node < n[:, None]
    last = node == (n[:, None] - 1)
    problems = {
        "a node count outside 2-7": (n < 2) | (n > MAX_NODES),
        "entries other than 0 and 1": np.any((upper != 0) & (upper != 1), axis=1),
        f"more than {MAX_EDGES} edges": upper.sum(axis=1) > MAX_EDGES,
        "an op code outside the vocabulary": np.any(present & ((ops < 0) | (ops >= len(VOCABULARY))), axis=1)
        | np.any(~present & (ops != -1), axis=1),
        "a first node that is not the input": ops[:, 0] != 0,
        "a last node that is not the output": ops[np.arange(len(n)), np.clip(n - 1, 0, MAX_NODES - 1)]
        != len(VOCABULARY) - 1,
        "input or output labels on intermediate nodes": np.any(
            present & ~last & (node > 0) & ((ops == 0) | (ops == len(VOCABULARY) - 1)), axis=1
        ),
        "edges to or from absent nodes": np.any(~present & ((out_degree > 0) | (in_degree > 0)), axis=1),
        "a node off every input-to-output path": np.any(
            present & (((node > 0) & (in_degree == 0)) | (~last & (out_degree == 0))), axis=1
        ),
    }
    for problem, bad in problems.items():
        if np.any(bad):
            row = int(np.flatnonzero(bad)[0])
            raise BenchmarkFileError(
                f"row {row} of {path} has {problem}; the file is corrupt, replace it with an intact copy"
            )
