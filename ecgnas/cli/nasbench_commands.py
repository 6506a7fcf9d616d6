"""``ecgnas bench``: inspect and query the NAS-Bench-201 and NAS-Bench-101 tables."""

from __future__ import annotations

import argparse
import os

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench.modes import MODES, NASBENCH201, open_benchmark
from ecgnas.nasbench.tabular import TableResult, TabularBenchmark
from ecgnas.spaces.architecture import Architecture


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bench`` command group."""
    parser = subparsers.add_parser("bench", help="inspect and query the NAS-Bench tables")
    commands = parser.add_subparsers(dest="bench_command", metavar="COMMAND", required=True)

    info = commands.add_parser("info", help="print a mode's size, fidelities, optima and file checksums")
    info.add_argument("mode", choices=MODES, help="benchmark mode")
    _add_table_options(info)
    info.set_defaults(run=run_info)

    query = commands.add_parser("query", help="print the table row of one architecture")
    query.add_argument("mode", choices=MODES, help="benchmark mode")
    query.add_argument(
        "arch",
        help="a NAS-Bench-201 arch string such as '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+...|', "
        "a 32-hex NAS-Bench-101 hash, or an architecture string 'OPS;EDGES;CHOICES'",
    )
    query.add_argument("--epochs", type=int, help="training budget (default: the full budget of the mode)")
    _add_table_options(query)
    query.set_defaults(run=run_query)

    verify = commands.add_parser(
        "verify-hashes", help="recompute the hash of all 423,624 NAS-Bench-101 cells and compare"
    )
    verify.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes to use (default: all cores)"
    )
    verify.add_argument(
        "--data-dir",
        help="data directory whose nasbench/ folder contains the tables (default: $ECGNAS_DATA_DIR)",
    )
    verify.set_defaults(run=run_verify)

    run = commands.add_parser(
        "run", help="run search methods many times on a benchmark table and update reports/nasbench.md"
    )
    run.add_argument(
        "--bench", choices=MODES, default=NASBENCH201, help="benchmark mode (default: nasbench201)"
    )
    run.add_argument("--queries", type=int, default=100, help="table look-ups per run (default: 100)")
    run.add_argument("--runs", type=int, default=10, help="independent seeds per method (default: 10)")
    run.add_argument(
        "--methods",
        default="dcl,npenas,rea,rs",
        help="comma-separated methods among dcl, npenas, rea, rs, gnn-rank, pretrain-mse "
        "(default: dcl,npenas,rea,rs)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="parallel processes, one torch thread each (default: all cores)",
    )
    run.add_argument(
        "--results-dir",
        default="reports/nasbench",
        help="folder of the raw CSV results (default: reports/nasbench)",
    )
    run.add_argument(
        "--report", default="reports/nasbench.md", help="report to write (default: reports/nasbench.md)"
    )
    _add_table_options(run)
    run.set_defaults(run=run_bench)

    report = commands.add_parser("report", help="rewrite reports/nasbench.md from the raw results")
    report.add_argument("--results-dir", default="reports/nasbench", help="folder of the raw CSV results")
    report.add_argument("--report", default="reports/nasbench.md", help="report to write")
    report.set_defaults(run=run_report)


def _add_table_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        help="nasbench201: cifar10 (default), cifar100 or ImageNet16-120; NAS-Bench-101 has cifar10 only",
    )
    parser.add_argument(
        "--data-dir",
        help="data directory whose nasbench/ folder contains the tables "
        "(default: $ECGNAS_DATA_DIR, else ./data)",
    )
    parser.add_argument(
        "--cache-dir",
        help="directory for the parsed tables (default: $ECGNAS_CACHE_DIR, else ~/.cache/ecgnas)",
    )
    parser.add_argument(
        "--record",
        help="nasbench101-full: the official results file "
        "(default: DATA_DIR/nasbench/nasbench_only108.tfrecord)",
    )


def _open(args: argparse.Namespace) -> TabularBenchmark:
    return open_benchmark(args.mode, args.dataset, args.data_dir, args.cache_dir, args.record)


def run_info(args: argparse.Namespace) -> int:
    summary = _open(args).summary()
    print(format_summary(summary))
    return 0


def format_summary(summary: dict) -> str:
    """Format :meth:`TabularBenchmark.summary` as aligned text."""
    cells = f"{summary['cells']:,}"
    if "architectures" in summary:
        cells += f" ({summary['architectures']:,} distinct architectures)"
    if "space_cells" in summary:
        cells += f" with results, in a space of {summary['space_cells']:,}"
    lines = [
        f"mode         {summary['mode']}",
        f"dataset      {summary['dataset']}",
        f"cells        {cells}",
    ]
    if "datasets" in summary:
        lines.append(f"datasets     {', '.join(summary['datasets'])}")
    lines += [
        f"epochs       {', '.join(str(epochs) for epochs in summary['epochs'])}",
        f"metric       {summary['metric']}",
        f"test metric  {summary['test_metric']}",
        f"cost         {summary['cost']}",
        "optima (accuracy %, best cell):",
    ]
    width = max(len(name) for name in summary["optima"])
    for name, best in summary["optima"].items():
        where = best.get("arch") or best.get("hash")
        lines.append(f"  {name:<{width}}  {best['accuracy']:7.3f}  {where}")
    lines.append("files (SHA-256):")
    width = max(len(name) for name in summary["files"])
    for name, digest in summary["files"].items():
        lines.append(f"  {name:<{width}}  {digest}")
    return "\n".join(lines)


def run_query(args: argparse.Namespace) -> int:
    benchmark = _open(args)
    text = args.arch.strip()
    if args.mode == NASBENCH201 and text.startswith("|"):
        result = benchmark.query_string(text, args.epochs)  # type: ignore[attr-defined]
    elif args.mode != NASBENCH201 and _is_hash(text):
        result = benchmark.query_hash(text.lower(), args.epochs)  # type: ignore[attr-defined]
    elif ";" in text:
        result = benchmark.query(Architecture.from_string(text), args.epochs)
    else:
        expected = "an arch string starting with '|'" if args.mode == NASBENCH201 else "a 32-hex hash"
        raise ConfigError(
            f"cannot read {args.arch!r} as an architecture of mode {args.mode!r}: expected {expected} "
            "or an architecture string 'OPS;EDGES;CHOICES'"
        )
    print(format_result(result))
    return 0


def _is_hash(text: str) -> bool:
    return len(text) == 32 and all(char in "0123456789abcdefABCDEF" for char in text)


def format_result(result: TableResult) -> str:
    """Format one result as aligned ``name  value`` lines."""
    test = (
        "none (this mode has no test accuracy)" if result.test_metric is None else f"{result.test_metric:.3f}"
    )
    cost = f"{result.cost_s:.1f}" + (
        " (estimate: the table has no time for this budget)" if result.cost_is_estimate else ""
    )
    return "\n".join(
        [
            f"benchmark          {result.benchmark}",
            f"key                {result.key}",
            f"epochs             {result.epochs}",
            f"valid accuracy %   {result.metric:.3f}",
            f"test accuracy %    {test}",
            f"training time s    {cost}",
            f"parameters (M)     {result.params_m:.6f}",
        ]
    )


def run_verify(args: argparse.Namespace) -> int:
    from ecgnas.nasbench.nb101_cells import load_nb101_cells
    from ecgnas.nasbench.nb101_hash import check_cell_hashes

    if args.workers < 1:
        raise ConfigError(f"--workers is {args.workers}; pass 1 or more")
    cells = load_nb101_cells(args.data_dir)
    check = check_cell_hashes(cells, workers=args.workers)
    if check.ok:
        print(
            f"all {check.checked:,} NAS-Bench-101 hashes match "
            f"({check.seconds:.1f} s, {args.workers} workers)"
        )
        return 0
    first_rows = ", ".join(str(row) for row in check.mismatched_rows[:10])
    print(f"{len(check.mismatched_rows):,} of {check.checked:,} hashes differ; first rows: {first_rows}")
    return 1


def run_bench(args: argparse.Namespace) -> int:
    import json
    import shlex
    import sys
    import time
    from pathlib import Path

    from ecgnas.pipelines.nasbench_harness import HarnessConfig, run_harness
    from ecgnas.pipelines.nasbench_report import write_report

    if args.queries < 1:
        raise ConfigError(f"--queries must be at least 1, got {args.queries}")
    methods = [method.strip() for method in args.methods.split(",") if method.strip()]
    dataset = args.dataset or ("cifar10" if args.bench == NASBENCH201 else None)
    config = HarnessConfig(
        bench=args.bench,
        dataset=dataset,
        queries=args.queries,
        data_dir=args.data_dir,
        cache_dir=args.cache_dir,
    )
    results_dir = Path(args.results_dir)
    stem = f"{args.bench}-{dataset or 'default'}-q{args.queries}"
    started = time.perf_counter()
    run_harness(config, methods, args.runs, results_dir / f"{stem}.csv", args.workers)
    command = (
        "ecgnas " + shlex.join(sys.argv[1:]) if sys.argv and "ecgnas" in sys.argv[0] else "ecgnas bench run"
    )
    # Every invocation that added runs to the file is listed with its wall time.
    sidecar = results_dir / f"{stem}.json"
    earlier = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
    invocations = earlier.get("invocations", [])
    invocations.append({"command": command, "seconds": round(time.perf_counter() - started, 1)})
    entry = {"invocations": invocations, "config": config.to_dict(), "fingerprint": config.fingerprint()}
    sidecar.write_text(json.dumps(entry, indent=2))
    report = write_report(results_dir, Path(args.report))
    print(f"Results in {results_dir}; report {report}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ecgnas.pipelines.nasbench_report import write_report

    results_dir = Path(args.results_dir)
    if not any(results_dir.glob("*.csv")):
        raise ConfigError(f"no results (*.csv) in {results_dir}; run `ecgnas bench run` first")
    print(f"Wrote {write_report(results_dir, Path(args.report))}")
    return 0
