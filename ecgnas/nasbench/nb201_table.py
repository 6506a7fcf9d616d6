"""The NAS-Bench-201 results table: 15,625 cells on three datasets at 200 and 12 epochs.

The source files are ``nb201_200ep.csv.gz`` (final 200-epoch results with
parameters, latency and training time) and ``nb201_12ep.csv.gz`` (the 12-epoch
schedule). They are parsed once and cached as ``.npz`` (see
:mod:`ecgnas.nasbench.table_cache`). Accuracies are in percent.

Split conventions follow the NAS-Bench-201 paper. For CIFAR-10 the validation
accuracy comes from the run trained on 25k images (``cifar10-valid``), and the
test accuracy from the run trained on all 50k. For CIFAR-100 and
ImageNet16-120 both come from one set of runs, measured on the two halves of
the original test set.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench import nb201_cell
from ecgnas.nasbench.csv_tables import as_numbers, read_columns
from ecgnas.nasbench.errors import BenchmarkFileError
from ecgnas.nasbench.files import (
    NB201_12EP,
    NB201_200EP,
    file_sha256,
    file_stamp,
    nasbench_dir,
    require_file,
)
from ecgnas.nasbench.table_cache import Arrays, cache_file, load_or_build

logger = logging.getLogger(__name__)

CACHE_FORMAT_VERSION = 1

DATASETS: tuple[str, ...] = ("cifar10", "cifar100", "ImageNet16-120")
"""Dataset names, as NAS-Bench-201 writes them."""

EPOCHS: tuple[int, ...] = (200, 12)
"""Training schedules with results: the full 200 epochs and the cheap 12-epoch one."""

_COLUMN_PREFIX = {"cifar10": "cifar10", "cifar100": "cifar100", "ImageNet16-120": "imagenet16"}

# Per-dataset columns of nb201_200ep.csv.gz and the cache key each one gets.
_COLUMNS_200 = {
    "valid_acc": "valid_acc_200",
    "test_acc": "test_acc_200",
    "params_mb": "params_m",
    "latency": "latency_s",
    "train_time_s": "train_time_s",
    "valid_n_runs": "valid_runs",
    "params_differ_across_runs": "params_differ",
}
_COLUMNS_12 = {"valid_acc": "valid_acc_12", "test_acc": "test_acc_12"}


def resolve_dataset(name: str) -> str:
    """Return the NAS-Bench-201 spelling of a dataset name.

    Matching ignores case, and ``imagenet16`` (the column prefix of the tables)
    is accepted for ``ImageNet16-120``.

    Raises:
        ConfigError: The name matches no dataset; the message lists the valid names.
    """
    requested = str(name).strip().lower()
    for dataset in DATASETS:
        if requested in (dataset.lower(), _COLUMN_PREFIX[dataset]):
            return dataset
    raise ConfigError(f"unknown NAS-Bench-201 dataset {name!r}; valid datasets: {list(DATASETS)}")


def check_epochs(epochs: int) -> int:
    """Return ``epochs`` if NAS-Bench-201 has results for it.

    Raises:
        ConfigError: Listing the valid values.
    """
    if epochs not in EPOCHS:
        raise ConfigError(f"NAS-Bench-201 has no results at {epochs!r} epochs; valid values: {list(EPOCHS)}")
    return int(epochs)


@dataclass(frozen=True)
class NasBench201Table:
    """All NAS-Bench-201 rows, indexed by the NAS-Bench-201 architecture index.

    Attributes:
        arch_strings: Official arch string of each row, shape ``(15625,)``.
        op_codes: Op codes of each row, uint8, shape ``(15625, 6)``.
        row_of_cell: Table row of each cell in :func:`nb201_cell.cell_index`
            order, int64, shape ``(15625,)``.
        columns: Per-dataset values, keyed ``"<dataset>/<name>"``. Names are
            ``valid_acc_200``, ``test_acc_200``, ``valid_acc_12``,
            ``test_acc_12`` (percent), ``params_m`` (millions),
            ``latency_s`` (seconds per batch of 256), ``train_time_s`` (seconds
            for the 200 epochs), ``valid_runs`` (2 or 3) and ``params_differ``.
        source_sha256: SHA-256 digest of each source file, keyed by file name.
    """

    arch_strings: np.ndarray
    op_codes: np.ndarray
    row_of_cell: np.ndarray
    columns: dict[str, np.ndarray]
    source_sha256: dict[str, str]

    @property
    def n_rows(self) -> int:
        """Number of rows, 15,625."""
        return int(self.op_codes.shape[0])

    def column(self, dataset: str, name: str) -> np.ndarray:
        """Return one per-dataset column; ``dataset`` as accepted by :func:`resolve_dataset`."""
        return self.columns[f"{_COLUMN_PREFIX[resolve_dataset(dataset)]}/{name}"]

    def row_of_codes(self, codes: nb201_cell.Codes) -> int:
        """Return the table row of the cell with op codes ``codes``."""
        return int(self.row_of_cell[nb201_cell.cell_index(codes)])

    def row_of_string(self, text: str) -> int:
        """Return the table row of an official arch string.

        Raises:
            ConfigError: The string is not a valid arch string.
        """
        try:
            codes = nb201_cell.parse_arch_string(text)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        return self.row_of_codes(codes)


def load_nb201_table(
    data_dir: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None
) -> NasBench201Table:
    """Load the NAS-Bench-201 tables, parsing the CSV files only when the cache is stale.

    Args:
        data_dir: Data directory whose ``nasbench/`` folder contains the tables
            (default: ``$ECGNAS_DATA_DIR``, else ``./data``).
        cache_dir: Cache directory (default: see :func:`ecgnas.data.locate.resolve_cache_dir`).

    Raises:
        DataNotFoundError: A table file is missing.
        BenchmarkFileError: A table file is corrupt or has an unexpected layout.
    """
    folder = nasbench_dir(data_dir)
    final = require_file(folder, NB201_200EP)
    short = require_file(folder, NB201_12EP)
    stamp = f"nb201-v{CACHE_FORMAT_VERSION}|{file_stamp(final)}|{file_stamp(short)}"
    arrays = load_or_build(cache_file(cache_dir, "nb201"), stamp, lambda: _build(final, short))
    prefix_keys = [key for key in arrays if "/" in key]
    names = [str(name) for name in arrays["source_names"]]
    digests = [str(digest) for digest in arrays["source_sha256"]]
    return NasBench201Table(
        arch_strings=arrays["arch_strings"],
        op_codes=arrays["op_codes"],
        row_of_cell=arrays["row_of_cell"],
        columns={key: arrays[key] for key in prefix_keys},
        source_sha256=dict(zip(names, digests, strict=True)),
    )


def _build(final: Path, short: Path) -> Arrays:
    prefixes = list(_COLUMN_PREFIX.values())
    required = ["arch_index", "arch_str", "op_codes"]
    required += [f"{prefix}_{column}" for prefix in prefixes for column in _COLUMNS_200]
    table = read_columns(final, required)
    _check_index(final, table["arch_index"])

    codes = np.array([nb201_cell.codes_from_text(final, text) for text in table["op_codes"]], dtype=np.uint8)
    for row, text in enumerate(table["arch_str"]):
        if _parse(final, text) != tuple(int(code) for code in codes[row]):
            raise BenchmarkFileError(
                f"row {row} of {final} has arch string {text!r} but op codes "
                f"{table['op_codes'][row]!r}, which differ; replace the file with an intact copy"
            )
    row_of_cell = np.full(nb201_cell.N_CELLS, -1, dtype=np.int64)
    for row, cell_codes in enumerate(codes.tolist()):
        row_of_cell[nb201_cell.cell_index(tuple(cell_codes))] = row
    if np.any(row_of_cell < 0):
        raise BenchmarkFileError(
            f"{final} lists some cells twice and misses {int(np.sum(row_of_cell < 0))} others; "
            "replace it with an intact copy"
        )

    arrays: Arrays = {
        "arch_strings": np.array(table["arch_str"]),
        "op_codes": codes,
        "row_of_cell": row_of_cell,
    }
    for prefix in prefixes:
        for column, key in _COLUMNS_200.items():
            name = f"{prefix}_{column}"
            arrays[f"{prefix}/{key}"] = as_numbers(final, name, table[name])

    short_required = ["arch_index", "arch_str"]
    short_required += [f"{prefix}_{column}" for prefix in prefixes for column in _COLUMNS_12]
    short_table = read_columns(short, short_required)
    _check_index(short, short_table["arch_index"])
    if short_table["arch_str"] != table["arch_str"]:
        raise BenchmarkFileError(
            f"{short} lists the cells in another order than {final}; both must follow the "
            "NAS-Bench-201 index. Replace the files with intact copies"
        )
    for prefix in prefixes:
        for column, key in _COLUMNS_12.items():
            name = f"{prefix}_{column}"
            arrays[f"{prefix}/{key}"] = as_numbers(short, name, short_table[name])

    arrays["source_names"] = np.array([final.name, short.name])
    arrays["source_sha256"] = np.array([file_sha256(final), file_sha256(short)])
    return arrays


def _check_index(path: Path, cells: list[str]) -> None:
    if len(cells) != nb201_cell.N_CELLS:
        raise BenchmarkFileError(
            f"{path} has {len(cells)} rows; NAS-Bench-201 has {nb201_cell.N_CELLS}. The file is "
            "truncated or corrupt, replace it with an intact copy"
        )
    expected = [str(index) for index in range(nb201_cell.N_CELLS)]
    if cells != expected:
        raise BenchmarkFileError(
            f"the arch_index column of {path} is not 0, 1, ..., {nb201_cell.N_CELLS - 1} in "
            "order; replace the file with an intact copy"
        )


def _parse(path: Path, text: str) -> nb201_cell.Codes:
    try:
        return nb201_cell.parse_arch_string(text)
    except ValueError as error:
        raise BenchmarkFileError(f"{path}: {error}; replace the file with an intact copy") from None
