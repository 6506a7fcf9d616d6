"""``ecgnas retrain``: the final phase of a finished search again, under other settings."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ecgnas.cli.options import (
    add_augment_option,
    add_class_weight_option,
    add_data_options,
    check_at_least_one,
    command_line,
    final_training_fields,
)
from ecgnas.pipelines.ecg_config import FINAL_EPOCHS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``retrain`` command."""
    parser = subparsers.add_parser(
        "retrain",
        help="retrain the top architectures of a finished search under other final-training settings",
        description="Repeat only the final training of a finished search, with another --final-epochs, "
        "--augment, --class-weight-power, or other architecture or seed counts, into a new run "
        "directory; the source run is left unchanged. Run it again with the same options and "
        "--run-dir to continue an interrupted retraining.",
    )
    parser.add_argument("source", metavar="RUN_DIR", help="run directory of a finished search")

    # What final training changes; every default is the source search's setting.
    parser.add_argument(
        "--final-epochs",
        choices=FINAL_EPOCHS,
        help="epoch choice of final training, as `ecgnas search --final-epochs` (default: the search's)",
    )
    add_augment_option(parser, default="the search's; retraining cannot switch it off")
    add_class_weight_option(parser, default="the search's")

    # How many architectures and seeds, and where they train.
    parser.add_argument(
        "--top-k", type=int, help="architectures retrained, best search score first (default: the search's)"
    )
    parser.add_argument(
        "--final-seeds", type=int, help="training seeds per architecture (default: the search's)"
    )
    parser.add_argument(
        "--device", help="auto (GPU when present), cpu, cuda or cuda:N (default: the search's)"
    )
    parser.add_argument(
        "--threads", type=int, help="CPU threads of each training run (default: the search's)"
    )

    # Where the outputs go and where the data comes from.
    parser.add_argument("--run-dir", help="new run directory (default: RUN_DIR-retrain-TIMESTAMP)")
    parser.add_argument(
        "--tracking-uri",
        help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else an SQLite store in the new "
        "run directory)",
    )
    add_data_options(parser, from_run="source run")
    parser.set_defaults(run=run_retrain_command)


def final_changes(args: argparse.Namespace) -> tuple[dict[str, object], dict[str, object]]:
    """Return the search-configuration fields and the final-training fields that the options change.

    With no change the retraining repeats the source's final phase, which checks that it reproduces.
    """
    check_at_least_one("--top-k", args.top_k, "architectures")
    check_at_least_one("--final-seeds", args.final_seeds, "seeds")
    check_at_least_one("--threads", args.threads, "CPU threads per training run")
    changes: dict = {}
    if args.final_epochs:
        changes["final_epochs"] = args.final_epochs
    if args.top_k is not None:
        changes["final_top_k"] = args.top_k
    if args.final_seeds is not None:
        changes["final_seeds"] = args.final_seeds
    training = final_training_fields(args)
    if args.device:
        training["device"] = args.device
    if args.threads is not None:
        training["max_threads"] = args.threads
    return changes, training


def run_retrain_command(args: argparse.Namespace) -> int:
    from ecgnas.pipelines.retrain import retrain_search

    changes, training = final_changes(args)
    run_dir = Path(args.run_dir or f"{Path(args.source)}-retrain-{time.strftime('%Y%m%d-%H%M%S')}")
    print(f"Run directory: {run_dir}")
    try:
        report = retrain_search(
            args.source,
            run_dir,
            changes,
            training,
            data_dir=args.data_dir,
            cache_dir=args.cache_dir,
            download=not args.no_download,
            tracking_uri=args.tracking_uri,
            command=command_line(),
        )
    except KeyboardInterrupt:
        # 130 is the shell's status for a process stopped by SIGINT.
        print(
            f"retraining stopped; every finished training run is saved. Continue with the same command "
            f"and --run-dir {run_dir}",
            file=sys.stderr,
        )
        return 130
    print(f"Report: {report}")
    print(f"Model:  {run_dir / 'model'}")
    return 0
