"""Reading WFDB records and their reference annotations with wfdb.

Every problem with a record's files becomes a :class:`RecordError` that names the
record and the file, so a corrupt download is easy to find and replace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import wfdb

from ecgnas.exceptions import RecordError

RECORD_SUFFIXES = (".hea", ".dat", ".atr")

# Bits per stored sample of the WFDB formats whose file size is checked before
# reading (WFDB "signal" file format specification, signal(5)).
BITS_PER_SAMPLE = {"8": 8, "16": 16, "24": 24, "32": 32, "61": 16, "80": 8, "160": 16, "212": 12}


@dataclass(frozen=True)
class RawRecord:
    """One lead of a record with its annotations, before preprocessing.

    Attributes:
        name: Record name, for example ``"114"``.
        lead: Name of the lead that was read, for example ``"MLII"``.
        fs: Sampling rate in Hz.
        signal: Samples in millivolts, shape ``(n_samples,)``.
        annotation_samples: Sample index of each annotation, shape ``(n_annotations,)``.
        annotation_symbols: Annotation symbol of each annotation.
    """

    name: str
    lead: str
    fs: float
    signal: np.ndarray
    annotation_samples: np.ndarray
    annotation_symbols: tuple[str, ...]


def list_records(folder: Path) -> list[str]:
    """List the record names in ``folder``: its ``RECORDS`` file, else every ``.hea`` file."""
    listing = folder / "RECORDS"
    if listing.is_file():
        return [line.strip() for line in listing.read_text().splitlines() if line.strip()]
    return sorted(path.stem for path in folder.glob("*.hea"))


def _check_files(folder: Path, name: str) -> None:
    for suffix in RECORD_SUFFIXES:
        path = folder / f"{name}{suffix}"
        if not path.is_file():
            raise RecordError(
                f"record {name}: file {path} is missing; restore it from PhysioNet "
                "(https://physionet.org/content/mitdb/1.0.0/) or run `ecgnas data download`"
            )


def _read_header(folder: Path, name: str) -> wfdb.Record:
    try:
        return wfdb.rdheader(str(folder / name))
    except Exception as error:  # wfdb raises bare ValueError, IndexError and others
        raise RecordError(f"record {name}: header {folder / name}.hea cannot be parsed ({error})") from error


def _check_signal_file_size(folder: Path, name: str, header: wfdb.Record) -> None:
    """Reject a signal file shorter than its header implies, which wfdb may read silently."""
    formats = set(header.fmt or [])
    files = set(header.file_name or [])
    if len(files) != 1 or len(formats) != 1 or header.sig_len is None:
        return
    fmt = formats.pop()
    if fmt not in BITS_PER_SAMPLE:
        return
    path = folder / files.pop()
    offset = max(header.byte_offset or [0], key=lambda value: value or 0) or 0
    expected = offset + math.ceil(header.sig_len * header.n_sig * BITS_PER_SAMPLE[fmt] / 8)
    actual = path.stat().st_size if path.is_file() else 0
    if actual < expected:
        raise RecordError(
            f"record {name}: signal file {path} is truncated: {actual} bytes, but the header "
            f"declares {header.sig_len} samples of {header.n_sig} signals in format {fmt} "
            f"({expected} bytes); download the record again"
        )


def select_lead(header: wfdb.Record, name: str, leads: tuple[str, ...]) -> int:
    """Return the channel index of the first lead in ``leads`` that the record has."""
    for lead in leads:
        if lead in header.sig_name:
            return header.sig_name.index(lead)
    raise RecordError(
        f"record {name} has none of the requested leads {list(leads)}; it has "
        f"{header.sig_name}. Add one of those to the lead preferences or leave the record out "
        "(the paced records 102 and 104 have no MLII)"
    )


def read_record(folder: Path, name: str, leads: tuple[str, ...] = ("MLII",)) -> RawRecord:
    """Read one lead of record ``name`` and its ``atr`` annotations.

    Args:
        folder: Directory that contains ``name.hea``, ``name.dat`` and ``name.atr``.
        name: Record name.
        leads: Lead names in order of preference.

    Raises:
        RecordError: A file is missing, truncated or unreadable, or no requested lead exists.
    """
    folder = Path(folder)
    _check_files(folder, name)
    header = _read_header(folder, name)
    channel = select_lead(header, name, leads)
    _check_signal_file_size(folder, name, header)

    try:
        record = wfdb.rdrecord(str(folder / name), channels=[channel], physical=True)
    except Exception as error:
        raise RecordError(
            f"record {name}: signal file of {folder / name} cannot be read ({error})"
        ) from error
    signal = np.asarray(record.p_signal[:, 0], dtype=np.float64)
    if signal.shape[0] != header.sig_len:
        raise RecordError(
            f"record {name}: read {signal.shape[0]} samples but the header declares "
            f"{header.sig_len}; download the record again"
        )

    try:
        annotation = wfdb.rdann(str(folder / name), "atr")
    except Exception as error:
        raise RecordError(
            f"record {name}: annotation file {folder / name}.atr cannot be read ({error})"
        ) from error

    return RawRecord(
        name=name,
        lead=header.sig_name[channel],
        fs=float(header.fs),
        signal=signal,
        annotation_samples=np.asarray(annotation.sample, dtype=np.int64),
        annotation_symbols=tuple(annotation.symbol),
    )
