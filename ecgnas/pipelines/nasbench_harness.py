"""The validation harness: every search method run many times on a NAS-Bench table.

Runs are independent (one method, one seed each) and go to a process pool, one
torch thread per process so that parallel runs do not oversubscribe the cores.
Each run writes one row per query count to a CSV file, so results survive a
crash and a rerun skips the runs already written. Every row carries a
fingerprint of the settings. A rerun with other settings is rejected rather
than adding rows to the same file, so one table never mixes two configurations.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import logging
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ecgnas.exceptions import ConfigError
from ecgnas.predictor.config import PredictorConfig
from ecgnas.search.budget import Budget
from ecgnas.search.loop import run_search
from ecgnas.search.predictor_evolution import EvolutionConfig, PredictorEvolution
from ecgnas.search.random_search import RandomSearch
from ecgnas.search.regularized_evolution import RegularizedEvolution
from ecgnas.search.strategy import Strategy

logger = logging.getLogger(__name__)

BENCH_METHODS: tuple[str, ...] = ("dcl", "npenas", "rea", "rs", "gnn-rank", "pretrain-mse")
"""Methods the harness runs: ``dcl`` (dual-contrastive evolution), ``npenas`` (GNN from
scratch with MSE), regularized evolution, random search, and two predictor ablations
(``gnn-rank``: no pre-training; ``pretrain-mse``: pre-training with an MSE head)."""

PREDICTOR_VARIANT = {
    "dcl": "dual-contrastive",
    "npenas": "gnn-mse",
    "gnn-rank": "gnn-rank",
    "pretrain-mse": "pretrain-mse",
}

CSV_FIELDS = (
    "bench",
    "dataset",
    "method",
    "seed",
    "queries",
    "best_valid",
    "test_of_best",
    "seconds",
    "config",
)


@dataclass(frozen=True)
class HarnessConfig:
    """Settings shared by every run of one harness invocation.

    Attributes:
        bench: Benchmark mode (see :data:`ecgnas.nasbench.modes.MODES`).
        dataset: Dataset of the benchmark, or ``None`` for its default.
        queries: Table look-ups per run.
        evolution: Round sizes of the predictor-guided methods.
        population: Population of regularized evolution.
        tournament: Tournament size of regularized evolution.
        predictor: Predictor settings of the predictor-guided methods.
        data_dir: Data directory whose ``nasbench/`` folder contains the tables.
        cache_dir: Cache of parsed tables and pre-trained encoders.
    """

    bench: str = "nasbench201"
    dataset: str | None = "cifar10"
    queries: int = 100
    evolution: EvolutionConfig = field(default_factory=EvolutionConfig)
    population: int = 20
    tournament: int = 5
    predictor: PredictorConfig = field(default_factory=lambda: PredictorConfig(device="cpu"))
    data_dir: str | None = None
    cache_dir: str | None = None

    def to_dict(self) -> dict:
        """Return the settings that change results (not where the files are) as JSON data."""
        data = json.loads(json.dumps(dataclasses.asdict(self), default=list))
        for key in ("data_dir", "cache_dir"):
            data.pop(key)
        data["predictor"].pop("device")
        return data

    def fingerprint(self) -> str:
        """Return a short hash of :meth:`to_dict`, written on every result row."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]


def open_table(config: HarnessConfig):
    """Open the benchmark of ``config``."""
    from ecgnas.nasbench.modes import open_benchmark

    return open_benchmark(config.bench, config.dataset, config.data_dir, config.cache_dir)


def encoder_cache(config: HarnessConfig) -> Path | None:
    return None if config.cache_dir is None else Path(config.cache_dir) / "encoders"


def make_strategy(method: str, space, config: HarnessConfig, seed: int) -> Strategy:
    """Build the strategy of ``method`` for one run."""
    from ecgnas.predictor import VARIANTS, build_predictor, load_or_pretrain

    if method == "rs":
        return RandomSearch(space, seed)
    if method == "rea":
        return RegularizedEvolution(space, seed, config.population, config.tournament)
    if method not in PREDICTOR_VARIANT:
        raise ConfigError(f"method {method!r} is unknown; allowed values: {list(BENCH_METHODS)}")
    variant = VARIANTS[PREDICTOR_VARIANT[method]]
    predictor_config = dataclasses.replace(config.predictor, seed=seed)
    encoder = None
    if variant.pretrained:
        encoder = load_or_pretrain(
            space,
            predictor_config.encoder,
            predictor_config.pretrain,
            encoder_cache(config),
            predictor_config.device,
        )
    predictor = build_predictor(variant, space, predictor_config, encoder=encoder)
    return PredictorEvolution(space, predictor, config.evolution, seed, method)


def run_once(method: str, seed: int, config: HarnessConfig) -> list[dict]:
    """Run one search and return one row per query count."""
    import torch

    from ecgnas.pipelines.table_evaluator import TableEvaluator

    torch.set_num_threads(1)
    # One line per table look-up would flood the harness log; the harness logs each run instead.
    logging.getLogger("ecgnas.search").setLevel(logging.WARNING)
    benchmark = open_table(config)
    started = time.perf_counter()
    strategy = make_strategy(method, benchmark.space, config, seed)
    history = run_search(strategy, TableEvaluator(benchmark), Budget(max_evaluations=config.queries))
    seconds = time.perf_counter() - started

    rows, best = [], None
    for count, result in enumerate(history, start=1):
        if result.ok and (best is None or result.metric > best.metric):
            best = result
        rows.append(
            {
                "bench": config.bench,
                "dataset": config.dataset or "",
                "method": method,
                "seed": seed,
                "queries": count,
                "best_valid": math.nan if best is None else best.metric,
                "test_of_best": math.nan if best is None or best.test_metric is None else best.test_metric,
                "seconds": seconds,
                "config": config.fingerprint(),
            }
        )
    return rows


def finished_runs(path: Path, fingerprint: str) -> set[tuple[str, int]]:
    """Return the (method, seed) pairs already written to the results file.

    Raises:
        ConfigError: The file contains rows of other settings, or of an older
            version of the harness that wrote no fingerprint.
    """
    if not path.is_file():
        return set()
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = {row.get("config") or "none" for row in rows}
    if found - {fingerprint}:
        raise ConfigError(
            f"{path} contains results of other settings (config {', '.join(sorted(found))}, now "
            f"{fingerprint}); pass another --results-dir or move the file away to start afresh"
        )
    return {(row["method"], int(row["seed"])) for row in rows}


def run_harness(
    config: HarnessConfig, methods: list[str], runs: int, results: Path, workers: int | None = None
) -> Path:
    """Run every method ``runs`` times (seeds 0 to runs-1) and append rows to ``results``.

    Runs already in ``results`` are skipped, so an interrupted harness resumes.
    """
    for method in methods:
        if method not in BENCH_METHODS:
            raise ConfigError(f"method {method!r} is unknown; allowed values: {list(BENCH_METHODS)}")
    if runs < 1:
        raise ConfigError(f"runs must be at least 1, got {runs!r}")

    # Pre-train once here, so the worker processes all load the cached encoder.
    if any(VARIANT_PRETRAINED.get(method) for method in methods):
        from ecgnas.predictor import load_or_pretrain

        benchmark = open_table(config)
        load_or_pretrain(
            benchmark.space,
            config.predictor.encoder,
            config.predictor.pretrain,
            encoder_cache(config),
            config.predictor.device,
        )

    done = finished_runs(results, config.fingerprint())
    tasks = [(m, s) for m in methods for s in range(runs) if (m, s) not in done]
    logger.info("%d runs to do, %d already in %s", len(tasks), len(done), results)
    results.parent.mkdir(parents=True, exist_ok=True)
    write_header = not results.is_file()
    workers = workers or max(1, (os.cpu_count() or 1))
    started = time.perf_counter()
    with open(results, "a", newline="") as handle, ProcessPoolExecutor(max_workers=workers) as pool:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        if write_header:
            writer.writeheader()
        futures = {pool.submit(run_once, m, s, config): (m, s) for m, s in tasks}
        for finished, future in enumerate(as_completed(futures), start=1):
            method, seed = futures[future]
            rows = future.result()
            writer.writerows(rows)
            handle.flush()
            elapsed = time.perf_counter() - started
            eta = elapsed / finished * (len(tasks) - finished)
            logger.info(
                "Run %d/%d done: %s seed %d, best %.3f; ETA %.0f s",
                finished,
                len(tasks),
                method,
                seed,
                rows[-1]["best_valid"],
                eta,
            )
    return results


VARIANT_PRETRAINED = {"dcl": True, "pretrain-mse": True}
