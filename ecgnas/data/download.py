"""Fetching the MIT-BIH Arrhythmia Database from PhysioNet and checking its files.

This module is the only part of ecgnas that contacts an outside host, and only
when a command needs records that are not on disk or ``ecgnas data download`` runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from pathlib import Path

import wfdb
from tqdm import tqdm

from ecgnas.data.locate import MITDB_FOLDER, resolve_data_dir
from ecgnas.data.records import RECORD_SUFFIXES
from ecgnas.exceptions import DataNotFoundError, DownloadError, RecordError
from ecgnas.progress import bar_disable

logger = logging.getLogger(__name__)

PHYSIONET_DATABASE = "mitdb"
PHYSIONET_PAGE = "https://physionet.org/content/mitdb/1.0.0/"
CHECKSUM_FILE = "SHA256SUMS.txt"
INDEX_FILES = ("RECORDS", "ANNOTATORS", CHECKSUM_FILE)

MITDB_RECORDS: tuple[str, ...] = tuple(
    str(number)
    for number in [
        *range(100, 110), *range(111, 120), *range(121, 125), *range(200, 204), 205,
        *range(207, 211), *range(212, 216), 217, *range(219, 224), 228, *range(230, 235),
    ]
)  # fmt: skip
"""The 48 record names of the database, as listed in its ``RECORDS`` file."""


def fetch_files(folder: Path, files: list[str]) -> None:
    """Download ``files`` of the PhysioNet database into ``folder`` with wfdb."""
    # wfdb prints progress messages of its own; the caller shows a progress bar instead.
    with contextlib.redirect_stdout(io.StringIO()):
        wfdb.dl_files(PHYSIONET_DATABASE, str(folder), files, keep_subdirs=False)


def manual_instructions(folder: Path) -> str:
    """Return instructions for placing the records by hand."""
    return (
        f"download the database from {PHYSIONET_PAGE} by hand and place its .hea, .dat and "
        f".atr files (and SHA256SUMS.txt) in {folder}, or pass --data-dir DIR where "
        f"DIR/{MITDB_FOLDER} holds them"
    )


def verify_checksums(folder: Path) -> int:
    """Check every file listed in ``SHA256SUMS.txt`` that is present in ``folder``.

    Returns:
        The number of files checked.

    Raises:
        RecordError: A file's SHA-256 digest differs from the listed one.
    """
    listing = folder / CHECKSUM_FILE
    if not listing.is_file():
        raise DataNotFoundError(f"checksum list {listing} is missing; {manual_instructions(folder)}")
    checked = 0
    for line in listing.read_text().splitlines():
        if not line.strip():
            continue
        expected, name = line.split(maxsplit=1)
        path = folder / name.strip().lstrip("*")
        if not path.is_file():
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise RecordError(
                f"file {path} fails its SHA-256 check (expected {expected}, got {actual}); "
                "delete it and download it again"
            )
        checked += 1
    return checked


def download_mitdb(folder: Path, progress: bool = True) -> None:
    """Download all 48 records and the index files into ``folder``, then verify them.

    Raises:
        DownloadError: PhysioNet cannot be reached or a transfer fails.
        RecordError: A downloaded file fails its checksum.
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fetch_files(folder, list(INDEX_FILES))
        for name in tqdm(
            MITDB_RECORDS, desc="Downloading MIT-BIH", unit="record", disable=bar_disable(progress)
        ):
            fetch_files(folder, [f"{name}{suffix}" for suffix in RECORD_SUFFIXES])
    except Exception as error:  # wfdb raises requests and urllib errors of many kinds
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DownloadError(
            f"could not download MIT-BIH from PhysioNet ({reason}); {manual_instructions(folder)}"
        ) from error
    checked = verify_checksums(folder)
    logger.info("Downloaded and verified %d files in %s", checked, folder)


def has_records(folder: Path) -> bool:
    """Return whether ``folder`` contains at least one WFDB header."""
    return folder.is_dir() and any(folder.glob("*.hea"))


def ensure_mitdb(data_dir: str | Path | None = None, download: bool = True) -> Path:
    """Return the MIT-BIH folder of the data directory, downloading the records if it has none.

    Args:
        data_dir: Data directory; see :func:`ecgnas.data.locate.resolve_data_dir`.
        download: Whether to download missing records; if false, raise instead.

    Raises:
        DataNotFoundError: No records are present and ``download`` is false.
        DownloadError: The download failed.
    """
    folder = resolve_data_dir(data_dir) / MITDB_FOLDER
    if has_records(folder):
        return folder
    if not download:
        raise DataNotFoundError(
            f"no MIT-BIH records (*.hea) in {folder}; run `ecgnas data download`, or "
            f"{manual_instructions(folder)}"
        )
    logger.info("No MIT-BIH records in %s; downloading them from PhysioNet (about 100 MB)", folder)
    download_mitdb(folder)
    return folder
