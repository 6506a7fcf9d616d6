"""Plotting a stretch of a record with its beats coloured by AAMI class."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # Files only: plotting must work on machines without a display.
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ecgnas.data.aami import AAMI_CLASSES, NON_BEAT_SYMBOLS, symbol_label  # noqa: E402
from ecgnas.data.preprocess import PreprocessConfig, preprocess_signal  # noqa: E402
from ecgnas.data.records import RawRecord  # noqa: E402
from ecgnas.exceptions import ConfigError  # noqa: E402

CLASS_COLOURS = {"N": "tab:green", "S": "tab:orange", "V": "tab:red", "F": "tab:purple", "Q": "tab:gray"}


def plot_record(
    raw: RawRecord,
    output: Path,
    start_s: float = 0.0,
    duration_s: float = 10.0,
    config: PreprocessConfig | None = None,
) -> Path:
    """Write a PNG of ``duration_s`` seconds of a record from ``start_s``, beats coloured by class.

    The raw and the preprocessed signal are drawn one above the other, and every
    beat annotation is marked at its R peak with its symbol.
    """
    config = config or PreprocessConfig()
    length_s = raw.signal.shape[0] / raw.fs
    if duration_s <= 0 or not 0 <= start_s < length_s:
        raise ConfigError(
            f"start {start_s} s and duration {duration_s} s do not select a stretch of record "
            f"{raw.name}, which lasts {length_s:.1f} s; use 0 <= start < {length_s:.1f} and duration > 0"
        )
    filtered, fs = preprocess_signal(raw.signal, raw.fs, config)

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(12, 5), sharex=True)
    for axis, signal, rate, title in (
        (top, raw.signal, raw.fs, f"record {raw.name}, lead {raw.lead}, raw"),
        (bottom, filtered, fs, "preprocessed"),
    ):
        first, last = int(start_s * rate), min(int((start_s + duration_s) * rate), signal.shape[0])
        time_s = np.arange(first, last) / rate
        axis.plot(time_s, signal[first:last], color="black", linewidth=0.7)
        axis.set_title(title, fontsize=10)
        axis.set_ylabel("mV")
        for sample, symbol in zip(raw.annotation_samples, raw.annotation_symbols, strict=True):
            position = sample / raw.fs
            index = int(round(position * rate))
            if symbol in NON_BEAT_SYMBOLS or not start_s <= position < start_s + duration_s:
                continue
            if index >= signal.shape[0]:
                continue
            label = symbol_label(symbol)
            colour = "black" if label is None else CLASS_COLOURS[AAMI_CLASSES[label]]
            axis.scatter(position, signal[index], color=colour, s=18, zorder=3)
            axis.annotate(
                symbol,
                (position, signal[index]),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
                color=colour,
            )
    bottom.set_xlabel("time (s)")
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=c, label=n) for n, c in CLASS_COLOURS.items()
    ]
    top.legend(handles=handles, loc="upper right", fontsize=8, ncol=5)
    figure.tight_layout()

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=120)
    plt.close(figure)
    return output
