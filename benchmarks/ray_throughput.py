"""Benchmark: candidate evaluations per minute with 1 and 2 Ray workers.

Each worker trains one candidate at a time with one torch thread. The
candidates are the first architectures sampled from the ``ecg1d-tiny`` space,
trained with the smoke preset's search settings on the real search-train beats
and scored on search-validation. Results go to the ``ray-throughput`` section of
``reports/benchmarks.md``.

Usage:
    python -m benchmarks.ray_throughput [--candidates 8] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import time

COMMAND = "python -m benchmarks.ray_throughput"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=8, help="candidates per measurement (default: 8)")
    parser.add_argument("--data-dir", help="data directory (default: $ECGNAS_DATA_DIR, else ./data)")
    args = parser.parse_args()

    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    from ecgnas.telemetry import disable_telemetry

    disable_telemetry()
    import ray

    from benchmarks.report import current_commit, describe_machine, write_section
    from ecgnas.data.prepare import prepare_beats
    from ecgnas.data.splits import split_records
    from ecgnas.pipelines.ecg_config import preset
    from ecgnas.pipelines.ecg_evaluator import EcgEvaluator
    from ecgnas.search.ray_executor import RayExecutor
    from ecgnas.spaces.catalog import load_space

    config = preset("smoke")
    beats = prepare_beats(split_records("DS1"), data_dir=args.data_dir, progress=False)
    space = load_space(config.space)
    split = (beats.select(split_records("search-train")), beats.select(split_records("search-validation")))
    evaluator = EcgEvaluator(space, [split], config.search_training)
    archs = [space.sample(seed) for seed in range(args.candidates)]

    rows = []
    for workers in (1, 2):
        executor = RayExecutor(local_cpus=workers, cpus_per_task=1)
        executor._ensure_ray()
        start = time.perf_counter()
        results = list(executor.run(evaluator, archs, lambda: True))
        elapsed = time.perf_counter() - start
        ray.shutdown()
        failed = sum(not result.ok for result in results)
        rows.append((workers, elapsed, len(results) / elapsed * 60, failed))

    speedup = rows[0][1] / rows[1][1]
    lines = [
        "## Ray executor: candidate throughput",
        "",
        f"Command: `{COMMAND} --candidates {args.candidates}` (commit {current_commit()}).",
        f"Machine: {describe_machine()}.",
        "",
        f"{args.candidates} candidates of `{config.space}` (the first samples of seeds 0 to "
        f"{args.candidates - 1}), each trained for {config.search_training.epochs} epoch on the search-train "
        "beats with one torch thread and scored on search-validation, through `RayExecutor` on a local "
        "Ray instance with 1 or 2 CPUs. Wall time includes starting Ray's workers but not Ray itself.",
        "",
        "| workers | wall time (s) | candidates per minute | failed |",
        "| --- | --- | --- | --- |",
        *[f"| {w} | {t:.1f} | {rate:.2f} | {f} |" for w, t, rate, f in rows],
        "",
        f"Speed-up with 2 workers: {speedup:.2f}× (target ≥ 1.6×).",
    ]
    path = write_section("ray-throughput", "\n".join(lines))
    print("\n".join(lines))
    print(f"\nWrote {path}")


if __name__ == "__main__":
    main()
