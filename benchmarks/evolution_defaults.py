"""Sweep of the round sizes of dual-contrastive evolution on NAS-Bench-201.

Each setting of (initial, infill, generations) runs ``--runs`` seeds of 100
queries on one dataset; the table of mean best validation accuracy at 50 and
100 queries goes to the ``evolution-defaults`` section of ``reports/benchmarks.md``.

Usage:
    python -m benchmarks.evolution_defaults [--runs 10] [--dataset cifar10] [--workers 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
from concurrent.futures import ProcessPoolExecutor

COMMAND = "python -m benchmarks.evolution_defaults"
GRID = {"initial": (10, 20), "infill": (5, 10), "generations": (3, 5)}


def run(setting: tuple[int, int, int], seed: int, dataset: str) -> tuple[tuple[int, int, int], float, float]:
    from ecgnas.pipelines.nasbench_harness import HarnessConfig, run_once
    from ecgnas.search.predictor_evolution import EvolutionConfig

    initial, infill, generations = setting
    evolution = dataclasses.replace(
        EvolutionConfig(), initial=initial, infill=infill, generations=generations
    )
    rows = run_once("dcl", seed, HarnessConfig(dataset=dataset, evolution=evolution))
    return setting, rows[49]["best_valid"], rows[99]["best_valid"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="seeds per setting (default: 10)")
    parser.add_argument("--dataset", default="cifar10", help="NAS-Bench-201 dataset (default: cifar10)")
    parser.add_argument("--workers", type=int, default=2, help="parallel processes (default: 2)")
    args = parser.parse_args()

    from benchmarks.report import current_commit, describe_machine, write_section
    from ecgnas.pipelines.nasbench_harness import HarnessConfig, make_strategy, open_table

    config = HarnessConfig(dataset=args.dataset)
    make_strategy("dcl", open_table(config).space, config, 0)  # builds the cached encoder once

    settings = list(itertools.product(*GRID.values()))
    results: dict[tuple[int, int, int], list[tuple[float, float]]] = {s: [] for s in settings}
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(run, s, seed, args.dataset) for s in settings for seed in range(args.runs)]
        for future in futures:
            setting, at50, at100 = future.result()
            results[setting].append((at50, at100))

    def cell(values: list[float]) -> str:
        return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"

    lines = [
        "## Dual-contrastive evolution: round sizes on NAS-Bench-201",
        "",
        f"Command: `{COMMAND} --runs {args.runs} --dataset {args.dataset}` (commit {current_commit()}).",
        f"Machine: {describe_machine()}.",
        "",
        "Population 20, tournament 3 and 20 offspring per generation stay at their defaults. Mean ± "
        f"standard deviation of the best validation accuracy over {args.runs} seeds.",
        "",
        "| initial (N) | infill | generations (t_gap) | best @50 | best @100 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for setting in settings:
        values = results[setting]
        lines.append(
            f"| {setting[0]} | {setting[1]} | {setting[2]} | {cell([v[0] for v in values])} "
            f"| {cell([v[1] for v in values])} |"
        )
    path = write_section("evolution-defaults", "\n".join(lines))
    print("\n".join(lines))
    print(f"\nWrote {path}")


if __name__ == "__main__":
    main()
