"""``ecgnas data``: download, summarise and plot the MIT-BIH records."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ecgnas.cli.options import add_data_options
from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.splits import SUMMARY_SPLITS, split_records

# The commands import the signal-processing modules themselves (SciPy and wfdb
# take seconds to load), so that `ecgnas --help` prints at once.
if TYPE_CHECKING:
    from ecgnas.data.beatset import BeatSet


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``data`` command group."""
    parser = subparsers.add_parser("data", help="download, summarise and plot the MIT-BIH records")
    commands = parser.add_subparsers(dest="data_command", metavar="COMMAND", required=True)

    download = commands.add_parser("download", help="download the database from PhysioNet")
    download.add_argument("--data-dir", help="data directory (default: $ECGNAS_DATA_DIR, else ./data)")
    download.set_defaults(run=run_download)

    summary = commands.add_parser("summary", help="print beat counts per split and AAMI class")
    add_data_options(summary)
    summary.set_defaults(run=run_summary)

    features = commands.add_parser("features", help="list the RR features that --rr-features can name")
    features.set_defaults(run=run_features)

    plot = commands.add_parser("plot", help="write a PNG of a record with beats coloured by class")
    plot.add_argument("record", help="record name, for example 208")
    plot.add_argument("--start", type=float, default=0.0, help="start of the stretch in seconds (default: 0)")
    plot.add_argument(
        "--duration", type=float, default=10.0, help="length of the stretch in seconds (default: 10)"
    )
    plot.add_argument("--lead", default="MLII", help="lead to plot (default: MLII)")
    plot.add_argument("--output", "-o", help="PNG file to write (default: record-RECORD.png)")
    add_data_options(plot)
    plot.set_defaults(run=run_plot)


def run_download(args: argparse.Namespace) -> int:
    from ecgnas.data.download import download_mitdb
    from ecgnas.data.locate import mitdb_dir

    folder = mitdb_dir(args.data_dir)
    print(f"Downloading the MIT-BIH Arrhythmia Database to {folder}")
    download_mitdb(folder)
    print(f"Done: records in {folder}")
    return 0


def run_features(args: argparse.Namespace) -> int:
    from ecgnas.data.rr import RELATIVE_RR_FEATURES, RR_DEFINITIONS, RR_FEATURES

    width = max(len(name) for name in RR_FEATURES)
    print("RR features, all given to models by default (* marks the set --rr-features relative):")
    for name in RR_FEATURES:
        mark = "*" if name in RELATIVE_RR_FEATURES else " "
        print(f"{mark} {name:<{width}}  {RR_DEFINITIONS[name]}")
    return 0


def format_counts_table(title: str, rows: list[tuple[str, int, np.ndarray]]) -> str:
    """Format rows of (split, record count, per-class counts) as a fixed-width table."""
    header = f"{'split':<18} {'records':>7} " + " ".join(f"{name:>7}" for name in AAMI_CLASSES)
    header += f" {'total':>8}"
    lines = [title, header, "-" * len(header)]
    for name, n_records, counts in rows:
        cells = " ".join(f"{int(count):>7,}" for count in counts)
        lines.append(f"{name:<18} {n_records:>7} {cells} {int(counts.sum()):>8,}")
    return "\n".join(lines)


def summarise(beats: BeatSet) -> str:
    """Return the summary tables of kept and dropped beats per split and AAMI class."""
    kept, dropped = [], []
    for split in SUMMARY_SPLITS:
        part = beats.select(split_records(split))
        kept.append((split, len(part.record_names), part.class_counts()))
        dropped.append((split, len(part.record_names), part.dropped_counts()))
    all_records = ("all", len(beats.record_names))
    kept.append((*all_records, beats.class_counts()))
    dropped.append((*all_records, beats.dropped_counts()))

    unknown: dict[str, int] = {}
    for per_record in beats.unknown_symbols.values():
        for symbol, count in per_record.items():
            unknown[symbol] = unknown.get(symbol, 0) + count
    unknown_text = ", ".join(f"{symbol!r}: {count}" for symbol, count in sorted(unknown.items()))
    return "\n\n".join(
        [
            format_counts_table("Beats kept, per split and AAMI class", kept),
            format_counts_table("Beats dropped because their window crosses the record's edge", dropped),
            f"Non-beat annotations skipped: {sum(beats.non_beats.values()):,}. "
            f"Unknown beat symbols: {unknown_text or 'none'}.",
        ]
    )


def run_summary(args: argparse.Namespace) -> int:
    from ecgnas.data.prepare import DEFAULT_RECORDS, prepare_beats
    from ecgnas.data.preprocess import PreprocessConfig

    beats = prepare_beats(
        records=DEFAULT_RECORDS,
        data_dir=args.data_dir,
        cache_dir=args.cache_dir,
        download=not args.no_download,
    )
    config = PreprocessConfig()
    print(
        f"MIT-BIH Arrhythmia Database, lead {config.leads[0]}, {beats.fs:g} Hz, "
        f"windows of {beats.window} samples ({config.window_before_s:g} s before and "
        f"{config.window_after_s:g} s after the R peak)\n"
    )
    print(summarise(beats))
    return 0


def run_plot(args: argparse.Namespace) -> int:
    from ecgnas.data.download import ensure_mitdb
    from ecgnas.data.plot import plot_record
    from ecgnas.data.records import read_record

    folder = ensure_mitdb(args.data_dir, download=not args.no_download)
    raw = read_record(folder, args.record, (args.lead,))
    output = Path(args.output or f"record-{args.record}.png")
    plot_record(raw, output, start_s=args.start, duration_s=args.duration)
    print(f"Wrote {output}")
    return 0
