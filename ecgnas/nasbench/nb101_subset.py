"""The 20,001-cell NAS-Bench-101 subset with single-run validation accuracy.

``nb101_subset20k_valid.csv.gz`` contains the first 20,001 NAS-Bench-101 hashes in
lexicographic order, which makes it in effect a uniform random subset (about
4.7% of the space). Each row has the validation accuracy of *one* training run
(not the mean of three) after 4, 12, 36 and 108 epochs, the 108-epoch training
time and the parameter count. There is no test accuracy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench.csv_tables import as_numbers, read_columns
from ecgnas.nasbench.errors import BenchmarkFileError, NotInBenchmarkError
from ecgnas.nasbench.files import NB101_SUBSET, file_sha256, file_stamp, nasbench_dir, require_file
from ecgnas.nasbench.nb101_cells import NasBench101Cells, find_row, find_rows, hash_bytes, hash_keys
from ecgnas.nasbench.table_cache import Arrays, cache_file, load_or_build

CACHE_FORMAT_VERSION = 1

EPOCHS: tuple[int, ...] = (4, 12, 36, 108)
"""Training budgets with a validation accuracy in the subset."""

FULL_EPOCHS = 108


def check_epochs(epochs: int) -> int:
    """Return ``epochs`` if the subset has results for it.

    Raises:
        ConfigError: Listing the valid values.
    """
    if epochs not in EPOCHS:
        raise ConfigError(
            f"the NAS-Bench-101 20k subset has no results at {epochs!r} epochs; valid values: {list(EPOCHS)}"
        )
    return int(epochs)


@dataclass(frozen=True)
class NasBench101Subset:
    """Rows of the 20k subset, sorted by hash.

    Attributes:
        hashes: Module hashes, uint8, shape ``(N, 16)``.
        valid_accuracy: Single-run validation accuracy in percent, shape ``(N, 4)``,
            one column per entry of :data:`EPOCHS`.
        train_time_s: Training time of the 108-epoch run in seconds, shape ``(N,)``.
        params: Trainable parameters, shape ``(N,)``.
        cell_rows: Row of each cell in the full cell table, shape ``(N,)``.
        source_sha256: SHA-256 digest of the source file, keyed by file name.
    """

    hashes: np.ndarray
    valid_accuracy: np.ndarray
    train_time_s: np.ndarray
    params: np.ndarray
    cell_rows: np.ndarray
    source_sha256: dict[str, str]
    keys: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", hash_keys(self.hashes))

    def __len__(self) -> int:
        return int(self.hashes.shape[0])

    def hash_of(self, row: int) -> str:
        """Return the 32-hex hash of a row."""
        return bytes(self.hashes[row]).hex()

    def find(self, module_hash: str) -> int | None:
        """Return the row of a 32-hex hash, or ``None`` if the subset lacks it."""
        return find_row(self.hashes, self.keys, module_hash)

    def row_of(self, module_hash: str) -> int:
        """Return the row of a 32-hex hash.

        Raises:
            NotInBenchmarkError: The cell is not in the subset.
        """
        row = self.find(module_hash)
        if row is None:
            raise NotInBenchmarkError(
                f"the NAS-Bench-101 cell {module_hash} is not in the 20k subset, so it has no "
                "result in mode 'nasbench101-20k'; search inside the subset, or use mode "
                "'nasbench101-full' with the official results file"
            )
        return row


def load_nb101_subset(
    cells: NasBench101Cells,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> NasBench101Subset:
    """Load the 20k subset, parsing the CSV file only when the cache is stale.

    Args:
        cells: The full cell table, which every subset hash must be in.
        data_dir: Data directory whose ``nasbench/`` folder contains the table.
        cache_dir: Cache directory (default: see :func:`ecgnas.data.locate.resolve_cache_dir`).

    Raises:
        DataNotFoundError: The file is missing.
        BenchmarkFileError: The file is corrupt, or names a cell outside the space.
    """
    path = require_file(nasbench_dir(data_dir), NB101_SUBSET)
    stamp = f"nb101-subset-v{CACHE_FORMAT_VERSION}|{file_stamp(path)}"
    arrays = load_or_build(cache_file(cache_dir, "nb101_subset20k"), stamp, lambda: _build(path))
    hashes = arrays["hashes"]
    cell_rows = find_rows(cells.hashes, cells.keys, hashes)
    if np.any(cell_rows < 0):
        missing = bytes(hashes[int(np.flatnonzero(cell_rows < 0)[0])]).hex()
        raise BenchmarkFileError(
            f"{path} names the cell {missing}, which is not in the NAS-Bench-101 cell table; "
            "replace the files with intact copies"
        )
    return NasBench101Subset(
        hashes=hashes,
        valid_accuracy=arrays["valid_accuracy"],
        train_time_s=arrays["train_time_s"],
        params=arrays["params"],
        cell_rows=cell_rows,
        source_sha256={path.name: str(arrays["source_sha256"])},
    )


def _build(path: Path) -> Arrays:
    accuracy_columns = [f"valid_acc_{epochs}ep" for epochs in EPOCHS]
    table = read_columns(path, ["hash", *accuracy_columns, "train_time_108ep_s", "params"])
    try:
        hashes = np.stack([hash_bytes(text) for text in table["hash"]]) if table["hash"] else None
    except ValueError as error:
        raise BenchmarkFileError(f"{path}: {error}; replace the file with an intact copy") from None
    if hashes is None:
        raise BenchmarkFileError(f"{path} has no rows; replace it with an intact copy")
    order = np.lexsort(hashes.T[::-1])
    if not np.array_equal(order, np.arange(len(order))):
        hashes = hashes[order]
    else:
        order = None
    valid = np.stack([as_numbers(path, name, table[name]) for name in accuracy_columns], axis=1)
    time_s = as_numbers(path, "train_time_108ep_s", table["train_time_108ep_s"])
    params = as_numbers(path, "params", table["params"], dtype=np.int64)
    if order is not None:
        valid, time_s, params = valid[order], time_s[order], params[order]
    if len(np.unique(hashes, axis=0)) != len(hashes):
        raise BenchmarkFileError(f"{path} lists a cell twice; replace it with an intact copy")
    return {
        "hashes": hashes,
        "valid_accuracy": valid,
        "train_time_s": time_s,
        "params": params,
        "source_sha256": np.array(file_sha256(path)),
    }
