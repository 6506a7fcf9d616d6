"""``ecgnas search``: the arrhythmia architecture search end to end."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from ecgnas.cli.options import (
    add_augment_option,
    add_class_weight_option,
    add_data_options,
    add_rr_features_option,
    check_at_least_one,
    command_line,
    final_training_fields,
    parse_count,
)
from ecgnas.data.folds import is_fold_count
from ecgnas.data.splits import split_records
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import EXECUTORS, FINAL_EPOCHS, METHODS, preset
from ecgnas.search.budget import parse_duration


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``search`` command."""
    parser = subparsers.add_parser(
        "search",
        help="search an arrhythmia classifier on MIT-BIH under a compute budget",
        description="Search the ECG space on DS1 (record folds or search-train / search-validation), "
        "retrain the best architectures on DS1 and test them on DS2. Every candidate is "
        "checkpointed; stop with Ctrl-C and continue with --resume.",
    )
    parser.add_argument(
        "--preset",
        choices=["smoke", "quick", "full"],
        default="quick",
        help="starting configuration: smoke (minutes, for tests), quick (about 30 minutes "
        "on 2 CPU cores), full (hours, for a GPU); default: quick",
    )
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue the stopped search in RUN_DIR")
    parser.add_argument("--run-dir", help="directory for the run's outputs (default: runs/NAME-TIMESTAMP)")
    parser.add_argument("--method", choices=METHODS, help="search method (default: dcl)")
    parser.add_argument(
        "--budget",
        help="device time for candidates and predictor fitting, such as 90m, 2h "
        "or 7.7d (core time on a CPU, GPU time on a GPU)",
    )
    parser.add_argument("--max-evals", type=int, help="stop after this many candidates")
    parser.add_argument(
        "--max-params",
        metavar="N",
        help="train only candidates with at most N trainable parameters, such as 60k or 1.5M "
        "(default: no limit)",
    )
    parser.add_argument(
        "--max-macs",
        metavar="N",
        help="train only candidates with at most N multiply-accumulates per beat, such as 5M "
        "(default: no limit)",
    )
    parser.add_argument(
        "--top-k", type=int, help="architectures retrained after the search, best search score first"
    )
    parser.add_argument(
        "--final-epochs",
        choices=FINAL_EPOCHS,
        help="final training keeps the best epoch on the search-validation records (holdout, default), "
        "the last epoch on all of DS1 (last), the mean weights of the last half of the epochs on all "
        "of DS1 (average), or trains on all of DS1 for the epoch count that scored "
        "best on record folds (folds: one extra training per fold)",
    )
    parser.add_argument(
        "--search-folds",
        metavar="K|holdout",
        help="score candidates on K record folds of DS1, K from 2 to 22 (K trainings each), or "
        "on the search-validation records (holdout); default: 2 for smoke, holdout for quick and full",
    )
    add_augment_option(parser)
    add_class_weight_option(parser)
    add_rr_features_option(parser)
    parser.add_argument("--seed", type=int, help="seed of the search and of every training run (default: 0)")
    parser.add_argument("--space", help="search space name or YAML file (default: ecg1d)")
    parser.add_argument("--device", help="auto (GPU when present), cpu, cuda or cuda:N (default: auto)")
    parser.add_argument("--threads", type=int, help="CPU threads of each training run (default: all cores)")
    parser.add_argument("--name", help="run name and MLflow experiment name")
    parser.add_argument("--executor", choices=EXECUTORS, help="where candidates train (default: local)")
    parser.add_argument(
        "--ray-address", help="address of a Ray cluster for --executor ray (default: local Ray)"
    )
    parser.add_argument(
        "--cpus-per-candidate", type=float, help="CPUs Ray reserves per candidate (default: 1)"
    )
    parser.add_argument(
        "--gpus-per-candidate", type=float, help="GPUs Ray reserves per candidate (default: 0)"
    )
    parser.add_argument(
        "--tracking-uri",
        help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else an SQLite store in the run directory)",
    )
    add_data_options(parser)
    parser.set_defaults(run=run_search_command)


def configure(args: argparse.Namespace):
    """Build the search configuration from the preset and the options given."""
    config = preset(args.preset)
    check_at_least_one("--threads", args.threads, "CPU threads per training run")
    check_at_least_one("--max-evals", args.max_evals, "candidates")
    check_at_least_one("--top-k", args.top_k, "architectures")
    changes = {}
    if args.method:
        changes["method"] = args.method
    if args.budget is not None:
        changes["budget_seconds"] = parse_duration(args.budget)
    if args.max_evals is not None:
        changes["max_evaluations"] = args.max_evals
    if args.max_params is not None:
        changes["max_parameters"] = parse_count("--max-params", args.max_params)
    if args.max_macs is not None:
        changes["max_macs"] = parse_count("--max-macs", args.max_macs)
    if args.top_k is not None:
        changes["final_top_k"] = args.top_k
    if args.final_epochs:
        changes["final_epochs"] = args.final_epochs
    if args.search_folds is not None:
        changes["search_folds"] = parse_folds(args.search_folds)
    if args.rr_features is not None:
        changes["rr_features"] = args.rr_features
    if args.seed is not None:
        changes["seed"] = args.seed
    if args.space:
        changes["space"] = args.space
    if args.name:
        changes["name"] = args.name
    if args.executor:
        changes["executor"] = args.executor
    if args.ray_address:
        changes["ray_address"] = args.ray_address
    if args.cpus_per_candidate is not None:
        changes["cpus_per_candidate"] = args.cpus_per_candidate
    if args.gpus_per_candidate is not None:
        changes["gpus_per_candidate"] = args.gpus_per_candidate
    training = {}
    if args.device:
        training["device"] = args.device
        changes["predictor"] = dataclasses.replace(config.predictor, device=args.device)
    if args.threads is not None:
        training["max_threads"] = args.threads
    changes["search_training"] = dataclasses.replace(config.search_training, **training)
    changes["final_training"] = dataclasses.replace(
        config.final_training, **training, **final_training_fields(args)
    )
    return dataclasses.replace(config, **changes)


def parse_folds(text: str) -> int | None:
    """Read ``--search-folds``: ``holdout`` or an integer from 2 to the number of DS1 records."""
    if text.strip().lower() == "holdout":
        return None
    try:
        folds = int(text)
    except ValueError:
        folds = None
    n_records = len(split_records("DS1"))
    if not is_fold_count(folds, n_records):
        raise ConfigError(
            f"--search-folds {text!r} must be 'holdout' or an integer from 2 to {n_records} (the DS1 "
            "records), such as 3"
        )
    return folds


RESUME_OPTIONS = frozenset({"command", "run", "log_level", "resume", "data_dir", "cache_dir", "no_download"})
"""Arguments a resumed search still reads from its command line; the rest come from the run."""


def check_resume_options(args: argparse.Namespace) -> None:
    """Reject options that ``--resume`` would ignore, such as a new budget or size limit.

    Raises:
        ConfigError: An option other than the data and cache options was given.
    """
    from ecgnas.cli.main import build_parser

    defaults = build_parser().parse_args(["search", "--resume", args.resume])
    ignored = [
        "--" + name.replace("_", "-")
        for name, value in vars(args).items()
        if name not in RESUME_OPTIONS and value != getattr(defaults, name)
    ]
    if ignored:
        raise ConfigError(
            f"--resume continues the search in {args.resume} with its stored configuration, so it "
            f"takes no {', '.join(ignored)}; remove them, or start a new search in another --run-dir"
        )


def run_search_command(args: argparse.Namespace) -> int:
    from ecgnas.pipelines.ecg_search import run_ecg_search

    if args.resume:
        check_resume_options(args)
        run_dir = Path(args.resume)
        config = None
    else:
        config = configure(args)
        run_dir = Path(args.run_dir or f"runs/{config.name}-{time.strftime('%Y%m%d-%H%M%S')}")
        print(f"Run directory: {run_dir}")
    try:
        report = run_ecg_search(
            config,
            run_dir,
            resume=bool(args.resume),
            data_dir=args.data_dir,
            cache_dir=args.cache_dir,
            download=not args.no_download,
            tracking_uri=args.tracking_uri,
            command=command_line(),
        )
    except KeyboardInterrupt:
        # 130 is the shell's status for a process stopped by SIGINT.
        print(
            "search stopped; every finished candidate is saved. Continue with "
            f"`ecgnas search --resume {run_dir}`",
            file=sys.stderr,
        )
        return 130
    print(f"Report: {report}")
    print(f"Model:  {run_dir / 'model'}")
    print(f"MLflow: mlflow ui --backend-store-uri sqlite:///{(run_dir / 'mlflow.db').resolve()} --workers 1")
    return 0
