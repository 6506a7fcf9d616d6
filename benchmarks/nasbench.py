"""Benchmark: loading, querying and sampling the NAS-Bench adapters, and the full hash check.

Phases that measure loading run in a fresh Python process each, so that the
time is the process's own. Query and sampling times are medians over repeats
in one process. The figures go to the ``nasbench`` section of
``reports/benchmarks.md``.

Usage:
    python -m benchmarks.nasbench [--data-dir DIR] [--repeats 3] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMAND = "python -m benchmarks.nasbench"
N_SAMPLES = 10_000
N_QUERIES = 20_000


def phase_load(data_dir: str | None, cache_dir: str) -> dict:
    """Open the nasbench201 mode (table and space) in this process and time it."""
    # Import the modules that open_benchmark loads lazily, so that only loading is timed.
    import ecgnas.nasbench.nb201_benchmark  # noqa: F401
    from ecgnas.nasbench.modes import open_benchmark

    start = time.perf_counter()
    open_benchmark("nasbench201", "cifar10", data_dir, cache_dir)
    return {"seconds": time.perf_counter() - start}


def measure_load(data_dir: str | None, cache_dir: str) -> float:
    """Run :func:`phase_load` in a child process and return its seconds."""
    command = [sys.executable, "-m", "benchmarks.nasbench", "--phase", "--cache-dir", cache_dir]
    if data_dir:
        command += ["--data-dir", data_dir]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds"]


def per_call_us(function, calls: int, repeats: int) -> float:
    """Return the median over ``repeats`` of the mean time of one call, in microseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        times.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(times)


def measure_in_process(data_dir: str | None, cache_dir: str, repeats: int, workers: int) -> dict:
    """Time queries, sampling, mutation and the full hash check."""
    import numpy as np

    from ecgnas.nasbench.modes import open_benchmark
    from ecgnas.nasbench.nb101_cells import load_nb101_cells
    from ecgnas.nasbench.nb101_hash import check_cell_hashes
    from ecgnas.spaces.architecture import Architecture
    from ecgnas.spaces.nasbench101 import NasBench101Space

    figures: dict = {}
    nb201 = open_benchmark("nasbench201", "cifar10", data_dir, cache_dir)
    subset = open_benchmark("nasbench101-20k", None, data_dir, cache_dir)

    start = time.perf_counter()
    cells = load_nb101_cells(data_dir)
    figures["nb101_cells_load_s"] = time.perf_counter() - start
    full = NasBench101Space(cells)

    # Warm queries reuse one architecture object, whose hash it keeps; cold
    # queries get a new object each time, so they include hashing the graph.
    arch201 = nb201.space.sample(0)
    nb201.query(arch201)
    figures["nb201_query_warm_us"] = per_call_us(lambda: nb201.query(arch201), N_QUERIES, repeats)
    arch101 = subset.space.sample(0)
    subset.query(arch101)
    figures["nb101_20k_query_warm_us"] = per_call_us(lambda: subset.query(arch101), N_QUERIES, repeats)
    figures["nb201_query_string_us"] = per_call_us(
        lambda: nb201.query_string(
            "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
        ),
        N_QUERIES,
        repeats,
    )
    fresh201 = [Architecture.from_string(nb201.space.sample(seed).to_string()) for seed in range(1000)]
    fresh101 = [Architecture.from_string(subset.space.sample(seed).to_string()) for seed in range(1000)]
    start = time.perf_counter()
    for arch in fresh201:
        nb201.query(arch)
    figures["nb201_query_cold_us"] = (time.perf_counter() - start) / len(fresh201) * 1e6
    start = time.perf_counter()
    for arch in fresh101:
        subset.query(arch)
    figures["nb101_20k_query_cold_us"] = (time.perf_counter() - start) / len(fresh101) * 1e6

    # Sampling: a fresh space each repeat, so no architecture is memoised.
    def sample_seconds(make_space) -> float:
        times = []
        for repeat in range(repeats):
            space = make_space()
            rng = np.random.default_rng(repeat)
            start = time.perf_counter()
            for _ in range(N_SAMPLES):
                space.sample(rng)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    figures["nb101_full_sample_s"] = sample_seconds(lambda: NasBench101Space(cells))
    figures["nb101_20k_sample_s"] = sample_seconds(
        lambda: NasBench101Space(cells, subset.subset.cell_rows, name="nasbench101-20k")
    )

    # Mutation in the confined space: first call on a parent and repeated calls.
    rng = np.random.default_rng(0)
    confined = NasBench101Space(cells, subset.subset.cell_rows, name="nasbench101-20k")
    parents = [confined.sample(rng) for _ in range(100)]
    start = time.perf_counter()
    for parent in parents:
        confined.mutate(parent, rng)
    figures["nb101_20k_mutate_first_ms"] = (time.perf_counter() - start) / len(parents) * 1e3
    start = time.perf_counter()
    for parent in parents:
        confined.mutate(parent, rng)
    figures["nb101_20k_mutate_again_ms"] = (time.perf_counter() - start) / len(parents) * 1e3
    start = time.perf_counter()
    for parent in parents[:20]:
        full.mutate(parent, rng)
    figures["nb101_full_mutate_ms"] = (time.perf_counter() - start) / 20 * 1e3

    check = check_cell_hashes(cells, workers=workers)
    figures["hash_check"] = {
        "checked": check.checked,
        "mismatches": len(check.mismatched_rows),
        "seconds": check.seconds,
        "workers": workers,
    }
    figures["nb201_architectures"] = nb201.space.n_architectures
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data directory (default: $ECGNAS_DATA_DIR, else ./data)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each measurement (default: 3)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the full hash check (default: all cores)",
    )
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        print(json.dumps(phase_load(args.data_dir, args.cache_dir)))
        return

    with tempfile.TemporaryDirectory() as cache_dir:
        load_before = os.getloadavg()[0]
        cold = [measure_load(args.data_dir, cache_dir)]
        cached = [measure_load(args.data_dir, cache_dir) for _ in range(args.repeats)]
        figures = measure_in_process(args.data_dir, cache_dir, args.repeats, args.workers)
        load_after = os.getloadavg()[0]

    from benchmarks.report import current_commit, describe_machine, write_section

    check = figures["hash_check"]
    rows = [
        (
            "`nasbench201` open from the cache (table + space)",
            f"{statistics.median(cached):.3f} s",
            "≤ 0.5 s",
        ),
        ("`nasbench201` first open (parse tables, build class index)", f"{cold[0]:.1f} s", ""),
        ("`nasbench201` query, warm", f"{figures['nb201_query_warm_us']:.1f} µs", "≤ 20 µs"),
        ("`nasbench201` query by arch string", f"{figures['nb201_query_string_us']:.1f} µs", ""),
        ("`nasbench201` query, cold", f"{figures['nb201_query_cold_us']:.0f} µs", ""),
        ("`nasbench101-20k` query, warm", f"{figures['nb101_20k_query_warm_us']:.1f} µs", "≤ 20 µs"),
        ("`nasbench101-20k` query, cold", f"{figures['nb101_20k_query_cold_us']:.0f} µs", ""),
        (
            f"sample {N_SAMPLES:,} cells, full NAS-Bench-101 space",
            f"{figures['nb101_full_sample_s']:.2f} s",
            "≤ 1 s",
        ),
        (f"sample {N_SAMPLES:,} cells, `nasbench101-20k`", f"{figures['nb101_20k_sample_s']:.2f} s", "≤ 1 s"),
        ("load `nb101_cells_all.npz` with its checks", f"{figures['nb101_cells_load_s']:.2f} s", ""),
        ("mutate in `nasbench101-20k`, new parent", f"{figures['nb101_20k_mutate_first_ms']:.0f} ms", ""),
        ("mutate in `nasbench101-20k`, known parent", f"{figures['nb101_20k_mutate_again_ms']:.0f} ms", ""),
        ("mutate in the full NAS-Bench-101 space", f"{figures['nb101_full_mutate_ms']:.1f} ms", ""),
        (
            f"NAS-Bench-101 hash check, all {check['checked']:,} cells ({check['workers']} processes)",
            f"{check['seconds']:.0f} s, {check['mismatches']} mismatches",
            "every hash matches",
        ),
    ]
    body = "\n".join(
        [
            "## NAS-Bench adapters: loading, queries, sampling and the hash check",
            "",
            f"Command: `{COMMAND}` (commit {current_commit()}, {args.repeats} repeats, medians).",
            f"Machine: {describe_machine()}; 1-minute load average {load_before:.1f} before and "
            f"{load_after:.1f} after the run (other processes shared the cores).",
            "",
            "Loading runs in a fresh process (imports excluded). A warm query reuses an architecture "
            "object, which keeps its hash; a cold query gets a new object and includes hashing the graph. "
            "Sampling builds every architecture afresh.",
            "",
            "| measurement | result | target |",
            "| --- | --- | --- |",
            *(f"| {name} | {value} | {target} |" for name, value, target in rows),
            "",
            f"The 15,625 NAS-Bench-201 cells give {figures['nb201_architectures']:,} distinct "
            "architectures after removing `none` edges and pruning. The unit tests recompute the hash of "
            "every 40th NAS-Bench-101 cell (10,591 cells); this script and `ecgnas bench verify-hashes` "
            "check all of them. Mode `nasbench101-20k` has no test accuracy: its metric is the "
            "validation accuracy of a single training run.",
        ]
    )
    path = write_section("nasbench", body)
    print(body)
    print(f"\nWrote {path}")


if __name__ == "__main__":
    main()
