"""Locations of the NAS-Bench files, and the checks and digests of those files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ecgnas.data.locate import resolve_data_dir
from ecgnas.exceptions import DataNotFoundError

NASBENCH_FOLDER = "nasbench"

NB201_200EP = "nb201_200ep.csv.gz"
NB201_12EP = "nb201_12ep.csv.gz"
NB101_CELLS = "nb101_cells_all.npz"
NB101_SUBSET = "nb101_subset20k_valid.csv.gz"
NB101_RECORD = "nasbench_only108.tfrecord"
"""Default name of the official NAS-Bench-101 results file (108-epoch runs only)."""


def nasbench_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the folder of the NAS-Bench tables inside the data directory."""
    return resolve_data_dir(data_dir) / NASBENCH_FOLDER


def require_file(folder: Path, name: str) -> Path:
    """Return ``folder / name``, or raise if that file does not exist.

    Raises:
        DataNotFoundError: Naming the missing path and how to point ecgnas elsewhere.
    """
    path = Path(folder) / name
    if not path.is_file():
        raise DataNotFoundError(
            f"NAS-Bench file {path} not found; pass --data-dir DIR (or set ECGNAS_DATA_DIR) "
            f"where DIR/{NASBENCH_FOLDER}/ contains {name}"
        )
    return path


def file_sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_stamp(path: Path) -> str:
    """Return ``name:size:mtime_ns``, which changes whenever the file is replaced or edited."""
    status = path.stat()
    return f"{path.name}:{status.st_size}:{status.st_mtime_ns}"
