"""Fixtures that write small synthetic WFDB records for the odd cases."""

from pathlib import Path

import numpy as np
import pytest
import wfdb


def write_synthetic_record(
    folder: Path,
    name: str = "900",
    fs: int = 360,
    seconds: float = 20.0,
    beat_symbols: str = "NNVNNANNFN",
    extra_annotations: list[tuple[int, str]] | None = None,
    sig_names: tuple[str, ...] = ("MLII", "V5"),
) -> Path:
    """Write a record with a spike train in every lead and one annotation per spike.

    Beats are spread evenly from 1 s to 1 s before the end. ``extra_annotations``
    adds ``(sample, symbol)`` pairs, for example one past the last sample.
    """
    folder.mkdir(parents=True, exist_ok=True)
    n_samples = int(seconds * fs)
    beat_samples = np.linspace(fs, n_samples - fs, len(beat_symbols)).astype(int)
    time = np.arange(n_samples) / fs
    signal = 0.1 * np.sin(2 * np.pi * 0.3 * time)
    for sample in beat_samples:
        signal[max(0, sample - 3) : sample + 4] += 1.0
    signals = np.stack([signal * (lead + 1) for lead in range(len(sig_names))], axis=1)
    wfdb.wrsamp(
        name,
        fs=fs,
        units=["mV"] * len(sig_names),
        sig_name=list(sig_names),
        p_signal=signals,
        fmt=["212"] * len(sig_names),
        adc_gain=[200.0] * len(sig_names),
        baseline=[0] * len(sig_names),
        write_dir=str(folder),
    )
    annotations = [(int(s), symbol) for s, symbol in zip(beat_samples, beat_symbols, strict=True)]
    annotations += extra_annotations or []
    annotations.sort()
    wfdb.wrann(
        name,
        "atr",
        np.array([sample for sample, _ in annotations]),
        symbol=[symbol for _, symbol in annotations],
        write_dir=str(folder),
    )
    return folder


@pytest.fixture
def synthetic_data_dir(tmp_path) -> Path:
    """A data directory whose mitdb/ folder holds one 20 s synthetic record named 900."""
    write_synthetic_record(tmp_path / "mitdb")
    return tmp_path
