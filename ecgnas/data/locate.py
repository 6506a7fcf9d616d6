"""Locations of the data directory, the MIT-BIH folder and the caches."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_VARIABLE = "ECGNAS_DATA_DIR"
CACHE_DIR_VARIABLE = "ECGNAS_CACHE_DIR"
MITDB_FOLDER = "mitdb"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the data directory: ``data_dir``, else ``$ECGNAS_DATA_DIR``, else ``./data``."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get(DATA_DIR_VARIABLE):
        return Path(os.environ[DATA_DIR_VARIABLE]).expanduser()
    return Path.cwd() / "data"


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """Return the cache directory.

    The order is ``cache_dir``, else ``$ECGNAS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/ecgnas``, else ``~/.cache/ecgnas``. The cache lives apart from
    the data directory because that directory may be read-only.
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_DIR_VARIABLE):
        return Path(os.environ[CACHE_DIR_VARIABLE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ecgnas"


def mitdb_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the folder of the MIT-BIH records inside the data directory."""
    return resolve_data_dir(data_dir) / MITDB_FOLDER
