"""``ecgnas predictor``: measure predictor variants on the NAS-Bench tables."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from ecgnas.exceptions import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_VARIANTS = "dual-contrastive,gnn-rank,gnn-mse,pretrain-mse,path-mlp"


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers") from None
    if not values or min(values) < 2:
        raise argparse.ArgumentTypeError(f"{text!r} must list integers of at least 2")
    return values


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``predictor`` command group."""
    parser = subparsers.add_parser("predictor", help="measure performance predictors on NAS-Bench tables")
    commands = parser.add_subparsers(dest="predictor_command", metavar="COMMAND", required=True)

    evaluate = commands.add_parser(
        "eval", help="fit predictor variants on N labelled cells and rank a held-out sample"
    )
    evaluate.add_argument(
        "--tables",
        default="nb201-cifar10,nb201-cifar100,nb201-imagenet16,nb101-subset20k",
        help="comma-separated tables (default: all four)",
    )
    evaluate.add_argument(
        "--variants",
        default=DEFAULT_VARIANTS,
        help=f"comma-separated variants, NAME or NAME:LOSS (default: {DEFAULT_VARIANTS})",
    )
    evaluate.add_argument(
        "--sizes",
        type=_int_list,
        default=[50, 100, 200, 400],
        help="training sizes N (default: 50,100,200,400)",
    )
    evaluate.add_argument("--seeds", type=int, default=10, help="repetitions, seeds 0..SEEDS-1 (default: 10)")
    evaluate.add_argument(
        "--n-test", type=int, default=3000, help="size of the held-out test sample (default: 3000)"
    )
    evaluate.add_argument(
        "--pool-size", type=int, default=10_000, help="unlabelled cells for pre-training (default: 10000)"
    )
    evaluate.add_argument("--pretrain-epochs", type=int, default=15, help="pre-training epochs (default: 15)")
    evaluate.add_argument("--finetune-epochs", type=int, default=150, help="fine-tuning steps (default: 150)")
    evaluate.add_argument(
        "--loss", default="contrastive", help="default fine-tuning loss (default: contrastive)"
    )
    evaluate.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default: auto)")
    evaluate.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: 1)")
    evaluate.add_argument(
        "--data-dir",
        help="data directory whose nasbench/ folder contains the tables "
        "(default: $ECGNAS_DATA_DIR, else ./data)",
    )
    evaluate.add_argument(
        "--cache-dir", help="folder of pre-trained encoders (default: $ECGNAS_CACHE_DIR/encoders)"
    )
    evaluate.add_argument(
        "--results", default="reports/predictor_results.csv", help="CSV of per-seed rows, merged across runs"
    )
    evaluate.add_argument("--report", default="reports/predictor.md", help="Markdown report to update")
    evaluate.add_argument(
        "--scatter", default="dual-contrastive:100", help="VARIANT:N whose first-seed scores are plotted"
    )
    evaluate.set_defaults(run=run_eval)

    report = commands.add_parser("report", help="rebuild the report's results section from the rows CSV")
    report.add_argument(
        "--results", default="reports/predictor_results.csv", help="CSV of per-seed rows written by eval"
    )
    report.add_argument("--report", default="reports/predictor.md", help="Markdown report to update")
    report.set_defaults(run=run_report)


def run_eval(args: argparse.Namespace) -> int:
    import torch

    from ecgnas.data.locate import resolve_data_dir
    from ecgnas.predictor.benchmark_tables import TABLES, load_table
    from ecgnas.predictor.config import FinetuneConfig, PredictorConfig, PretrainConfig
    from ecgnas.predictor.evaluation import evaluate_table
    from ecgnas.predictor.report import (
        merge_rows,
        plot_scatters,
        record_command,
        results_tables,
        write_marked_section,
        write_report,
    )
    from ecgnas.predictor.variants import parse_variant

    tables = [name for name in args.tables.split(",") if name]
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise ConfigError(f"--tables names unknown tables {unknown}; allowed values: {list(TABLES)}")
    variants = [parse_variant(spec) for spec in args.variants.split(",") if spec]
    scatter_variant, _, scatter_size = args.scatter.rpartition(":")
    if not scatter_size.isdigit():
        raise ConfigError(f"--scatter is {args.scatter!r}; expected VARIANT:N such as dual-contrastive:100")
    if args.seeds < 1 or args.n_test < 2 or args.threads < 1:
        raise ConfigError("--seeds and --threads must be at least 1 and --n-test at least 2")
    torch.set_num_threads(args.threads)

    config = PredictorConfig(
        pretrain=PretrainConfig(n_archs=args.pool_size, epochs=args.pretrain_epochs),
        finetune=FinetuneConfig(loss=args.loss, epochs=args.finetune_epochs),
        device=args.device,
    )
    nasbench = Path(resolve_data_dir(args.data_dir)) / "nasbench"
    all_rows, scatters = [], []
    for name in tables:
        table = load_table(name, nasbench, pool_size=args.pool_size)
        rows, kept = evaluate_table(
            table,
            variants,
            args.sizes,
            list(range(args.seeds)),
            config,
            n_test=args.n_test,
            cache_dir=args.cache_dir,
            scatter_of=(scatter_variant, int(scatter_size)),
        )
        all_rows += rows
        scatters += kept
        print(results_tables(rows))

    results = Path(args.results)
    merge_rows(results, all_rows)
    record_command(
        results.with_suffix(".commands"), "ecgnas " + " ".join(shlex.quote(part) for part in sys.argv[1:])
    )
    report = Path(args.report)
    write_report(results, report)
    figure_note = ""
    for scatter in scatters:
        figure = report.parent / f"predictor-scatter-{scatter.table}.png"
        plot_scatters([scatter], figure)
        figure_note += f"![{scatter.table}]({figure.name})\n"
    if figure_note:
        write_marked_section(report, "predictor-scatter", "## Predicted versus true\n\n" + figure_note)
    print(f"Wrote {report} and {results}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from ecgnas.predictor.report import write_report

    results = Path(args.results)
    if not results.is_file():
        raise ConfigError(f"results file {results} not found; run 'ecgnas predictor eval' first")
    print(f"Wrote {write_report(results, Path(args.report))}")
    return 0
