"""``ecgnas baseline``, ``ecgnas export`` and ``ecgnas predict``: models after the search."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ecgnas.baselines import BASELINE_NAMES
from ecgnas.cli.options import (
    add_augment_option,
    add_class_weight_option,
    add_data_options,
    add_rr_features_option,
    check_at_least_one,
    command_line,
    final_training_fields,
)
from ecgnas.pipelines.ecg_config import FINAL_EPOCHS, preset


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``baseline``, ``export`` and ``predict`` commands."""
    baseline = subparsers.add_parser(
        "baseline", help="train a hand-designed model under the search's final-training protocol"
    )
    baseline.add_argument("model", choices=BASELINE_NAMES, help="baseline to train")
    baseline.add_argument(
        "--preset",
        choices=["smoke", "quick", "full"],
        default="quick",
        help="use this preset's final training settings (default: quick)",
    )
    baseline.add_argument("--seed", type=int, help="seed (default: 0)")
    baseline.add_argument(
        "--final-epochs",
        choices=FINAL_EPOCHS,
        help="keep the best epoch on the search-validation records (holdout, default), the last "
        "epoch on all of DS1 (last), the mean weights of the last half of the epochs (average), or "
        "the epoch count chosen on record folds (folds), as "
        "`ecgnas search --final-epochs`",
    )
    add_augment_option(baseline)
    add_class_weight_option(baseline)
    add_rr_features_option(baseline)
    baseline.add_argument("--threads", type=int, help="CPU threads of each training run (default: all cores)")
    baseline.add_argument("--run-dir", help="output directory (default: runs/MODEL-PRESET-TIMESTAMP)")
    add_data_options(baseline)
    baseline.set_defaults(run=run_baseline_command)

    export = subparsers.add_parser(
        "export",
        help="write TorchScript, ONNX and a JSON description of a run's model, checked on real beats",
    )
    export.add_argument("run_dir", help="a finished search or baseline run directory")
    export.add_argument("--out", help="export folder (default: RUN_DIR/export)")
    add_data_options(export)
    export.set_defaults(run=run_export_command)

    predict = subparsers.add_parser(
        "predict", help="classify every beat of a WFDB record with an exported model"
    )
    predict.add_argument(
        "record",
        help="record path without extension (for example data/mitdb/100), or a record name in DATA_DIR/mitdb",
    )
    predict.add_argument("--model", required=True, help="export folder written by `ecgnas export`")
    predict.add_argument("--out-dir", default=".", help="where the CSV and annotation file go (default: .)")
    predict.add_argument(
        "--runtime",
        choices=["torchscript", "onnx"],
        default="torchscript",
        help="runtime of the model (default: torchscript)",
    )
    predict.add_argument(
        "--data-dir",
        help="data directory for a bare record name (default: $ECGNAS_DATA_DIR, else ./data)",
    )
    predict.set_defaults(run=run_predict_command)

    register_compare(subparsers)


def run_baseline_command(args: argparse.Namespace) -> int:
    import dataclasses

    from ecgnas.pipelines.baseline import run_baseline, summarise_baseline

    config = preset(args.preset)
    check_at_least_one("--threads", args.threads, "CPU threads per training run")
    if args.seed is not None:
        config = dataclasses.replace(config, seed=args.seed)
    if args.final_epochs:
        config = dataclasses.replace(config, final_epochs=args.final_epochs)
    if args.rr_features is not None:
        config = dataclasses.replace(config, rr_features=args.rr_features)
    training = final_training_fields(args)
    if args.threads is not None:
        training["max_threads"] = args.threads
    config = dataclasses.replace(
        config, final_training=dataclasses.replace(config.final_training, **training)
    )
    run_dir = Path(args.run_dir or f"runs/{args.model}-{args.preset}-{time.strftime('%Y%m%d-%H%M%S')}")
    print(f"Run directory: {run_dir}")
    run_baseline(
        args.model, config, run_dir, args.data_dir, args.cache_dir, not args.no_download, command_line()
    )
    print(summarise_baseline(run_dir))
    print(f"Model: {run_dir / 'model'}")
    return 0


def run_export_command(args: argparse.Namespace) -> int:
    from ecgnas.data.prepare import prepare_beats
    from ecgnas.data.splits import split_records
    from ecgnas.pipelines.export import check_exportable, export_run
    from ecgnas.pipelines.saved_model import read_preprocess

    # The run is checked before the data, so that a mistyped folder fails at once
    # instead of after reading, or downloading, the parity records.
    directory, _ = check_exportable(args.run_dir)

    # Parity is checked on real DS2 beats, prepared as the model's were: two records are
    # enough and keep the export fast.
    beats = prepare_beats(
        split_records("DS2")[:2],
        read_preprocess(directory.model_dir),
        data_dir=args.data_dir,
        cache_dir=args.cache_dir,
        download=not args.no_download,
    )
    out = export_run(args.run_dir, args.out, beats)
    print(f"Exported to {out}")
    return 0


def run_predict_command(args: argparse.Namespace) -> int:
    from ecgnas.data.locate import mitdb_dir
    from ecgnas.pipelines.predict import load_description, predict_record, summarise, write_outputs

    # A bare record name such as 100 is looked up in DATA_DIR/mitdb; anything else is a path.
    record = Path(args.record)
    if len(record.parts) == 1 and not Path(f"{record}.hea").is_file():
        record = mitdb_dir(args.data_dir) / args.record
    prediction = predict_record(args.model, record, args.runtime)
    import wfdb

    fs = float(wfdb.rdheader(str(record)).fs)
    csv_path, annotation_path = write_outputs(prediction, fs, Path(args.out_dir))
    print(summarise(prediction))
    print(f"Wrote {csv_path} and {annotation_path}")
    del load_description
    return 0


def register_compare(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare`` command."""
    compare = subparsers.add_parser(
        "compare", help="write reports/ecg_comparison.md from searched and baseline run directories"
    )
    compare.add_argument(
        "run_dirs",
        nargs="+",
        help="finished search and baseline run directories; runs of one model that differ only in "
        "--seed are summarised over runs",
    )
    compare.add_argument(
        "--out",
        default="reports/ecg_comparison.md",
        help="report path; the figures go beside it (default: reports/ecg_comparison.md)",
    )
    compare.set_defaults(run=run_compare_command)


def run_compare_command(args: argparse.Namespace) -> int:
    from ecgnas.pipelines.compare import write_comparison

    command = command_line() or "ecgnas compare " + " ".join(args.run_dirs)
    report = write_comparison([Path(path) for path in args.run_dirs], Path(args.out), command)
    f1_png = report.with_name(f"{report.stem}_f1.png")
    confusion_png = report.with_name(f"{report.stem}_confusion.png")
    print(f"Wrote {report}, {f1_png} and {confusion_png}")
    return 0
