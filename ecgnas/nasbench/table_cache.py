"""Binary cache of parsed NAS-Bench tables: one ``.npz`` file per table, no pickle.

A cache file stores a stamp naming the format version and the size and
modification time of every source file. A file whose stamp differs, or that
cannot be read, is rebuilt from the sources. Files are written under a
temporary name and renamed, so a crash never leaves a partial file in place.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ecgnas.data.cache import write_atomic
from ecgnas.data.locate import resolve_cache_dir

logger = logging.getLogger(__name__)

CACHE_FOLDER = "nasbench"
STAMP_KEY = "cache_stamp"

Arrays = dict[str, np.ndarray]


def cache_file(cache_dir: str | os.PathLike | None, name: str) -> Path:
    """Return the path of the cache file ``name`` (without suffix) in the resolved cache directory."""
    return resolve_cache_dir(cache_dir) / CACHE_FOLDER / f"{name}.npz"


def read_cache(path: Path, stamp: str) -> Arrays | None:
    """Read the arrays of ``path``, or return ``None`` if it is missing, stale or unreadable."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        logger.warning("NAS-Bench cache %s is unreadable (%s); rebuilding it", path, error)
        return None
    if STAMP_KEY not in arrays or str(arrays.pop(STAMP_KEY)) != stamp:
        logger.info("NAS-Bench cache %s is stale; rebuilding it", path)
        return None
    return arrays


def write_cache(path: Path, stamp: str, arrays: Arrays) -> None:
    """Write ``arrays`` and ``stamp`` to ``path``; log a warning instead of failing when it cannot."""
    payload = {**arrays, STAMP_KEY: np.array(stamp)}
    try:
        write_atomic(path, lambda handle: np.savez(handle, **payload))
    except OSError as error:
        logger.warning(
            "cannot write the NAS-Bench cache %s (%s); the table is parsed again next time. "
            "Pass a writable --cache-dir or set ECGNAS_CACHE_DIR",
            path,
            error,
        )


def load_or_build(path: Path, stamp: str, build: Callable[[], Arrays]) -> Arrays:
    """Return the cached arrays at ``path`` if their stamp equals ``stamp``, else build and cache them."""
    arrays = read_cache(path, stamp)
    if arrays is not None:
        return arrays
    logger.info("Building the NAS-Bench cache %s", path)
    arrays = build()
    write_cache(path, stamp, arrays)
    return arrays
