"""On-disk cache of segmented beats, one file per record and preprocessing setting.

A cache file stores the SHA-256 digest of the record's source files, the
preprocessing fingerprint and a format version. Loading checks all three and
the archive's CRC-32 checksums, so a stale, truncated or corrupt file is rebuilt
instead of used. Files are written to a temporary name and renamed into place,
so a crash never leaves a half-written cache file under the final name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from pathlib import Path

import numpy as np

from ecgnas.atomic import write_atomic
from ecgnas.data.beats import RecordBeats
from ecgnas.data.records import RECORD_SUFFIXES
from ecgnas.exceptions import CacheError

logger = logging.getLogger(__name__)

# Version 2 added two local RR ratios, and version 3 the subtraction of the
# median of each record's non-premature beats, so older files are rebuilt.
CACHE_FORMAT_VERSION = 3


def source_digest(folder: Path, name: str) -> str:
    """Return the SHA-256 digest of a record's header, signal and annotation files."""
    digest = hashlib.sha256()
    for suffix in RECORD_SUFFIXES:
        digest.update(suffix.encode())
        with open(folder / f"{name}{suffix}", "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def cache_path(cache_dir: Path, fingerprint: str, name: str) -> Path:
    """Return where the beats of record ``name`` under one preprocessing setting are cached."""
    return Path(cache_dir) / "beats" / fingerprint / f"{name}.npz"


def save_beats(path: Path, beats: RecordBeats, digest: str, fingerprint: str) -> None:
    """Write one record's beats to ``path`` atomically.

    Raises:
        CacheError: The cache directory is not writable.
    """
    arrays = {
        "format_version": np.array(CACHE_FORMAT_VERSION),
        "source_digest": np.array(digest),
        "fingerprint": np.array(fingerprint),
        "record": np.array(beats.record),
        "fs": np.array(beats.fs),
        "waveforms": beats.waveforms,
        "rr": beats.rr,
        "labels": beats.labels,
        "positions": beats.positions,
        "dropped": beats.dropped,
        "unknown_symbols": np.array(json.dumps(beats.unknown_symbols)),
        "non_beats": np.array(beats.non_beats),
    }
    try:
        write_atomic(path, lambda handle: np.savez(handle, **arrays))
    except OSError as error:
        raise CacheError(
            f"cannot write the beat cache {path} ({error}); pass a writable --cache-dir "
            "or set ECGNAS_CACHE_DIR"
        ) from error


def load_beats(path: Path, digest: str, fingerprint: str) -> RecordBeats | None:
    """Read one record's beats, or return ``None`` if the file is missing, stale or corrupt."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        logger.warning("Cache file %s is corrupt (%s); rebuilding it", path, error)
        return None

    try:
        stale = (
            int(arrays["format_version"]) != CACHE_FORMAT_VERSION
            or str(arrays["source_digest"]) != digest
            or str(arrays["fingerprint"]) != fingerprint
        )
        if stale:
            logger.info("Cache file %s is stale; rebuilding it", path)
            return None
        return RecordBeats(
            record=str(arrays["record"]),
            fs=float(arrays["fs"]),
            waveforms=arrays["waveforms"],
            rr=arrays["rr"],
            labels=arrays["labels"],
            positions=arrays["positions"],
            dropped=arrays["dropped"],
            unknown_symbols=json.loads(str(arrays["unknown_symbols"])),
            non_beats=int(arrays["non_beats"]),
        )
    except (KeyError, ValueError, TypeError) as error:
        logger.warning("Cache file %s is incomplete (%s); rebuilding it", path, error)
        return None
