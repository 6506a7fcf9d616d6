"""Reading the gzip-compressed CSV tables into columns, with layout checks."""

from __future__ import annotations

import csv
import gzip
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ecgnas.nasbench.errors import BenchmarkFileError


def read_columns(path: Path, required: Sequence[str]) -> dict[str, list[str]]:
    """Read a ``.csv.gz`` file into a dict from column name to its text cells.

    Raises:
        BenchmarkFileError: The file is not valid gzip, lacks a required column
            or has a row with a different number of cells than the header.
    """
    try:
        with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as error:
        raise BenchmarkFileError(
            f"cannot read {path}: {error}; the file is corrupt or truncated, replace it with an intact copy"
        ) from error
    if not rows:
        raise BenchmarkFileError(f"{path} is empty; replace it with an intact copy")
    header, body = rows[0], rows[1:]
    missing = [name for name in required if name not in header]
    if missing:
        raise BenchmarkFileError(
            f"{path} lacks the columns {missing}; found {header}. Replace it with the "
            "NAS-Bench table that ecgnas expects"
        )
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise BenchmarkFileError(
                f"{path} line {line} has {len(row)} cells, the header has {len(header)}; "
                "the file is corrupt, replace it with an intact copy"
            )
    by_name = {name: index for index, name in enumerate(header)}
    return {name: [row[by_name[name]] for row in body] for name in header}


def as_numbers(path: Path, name: str, cells: list[str], dtype: type = np.float64) -> np.ndarray:
    """Convert one column's text cells to a numeric array.

    Raises:
        BenchmarkFileError: A cell is empty, not a number, or not finite.
    """
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        bad = next(cell for cell in cells if not _is_number(cell))
        raise BenchmarkFileError(
            f"column {name!r} of {path} has the value {bad!r}, which is not a number; the "
            "file is corrupt, replace it with an intact copy"
        ) from None
    if not np.all(np.isfinite(values)):
        bad = cells[int(np.flatnonzero(~np.isfinite(values))[0])]
        raise BenchmarkFileError(
            f"column {name!r} of {path} has the value {bad!r}; every value must be finite. "
            "The file is corrupt, replace it with an intact copy"
        )
    return values.astype(dtype)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
