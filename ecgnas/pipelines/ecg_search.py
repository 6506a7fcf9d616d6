"""The ECG architecture search end to end: data, strategy, budgeted search, final training.

``run_ecg_search`` prepares the MIT-BIH beats, searches the space on DS1 (record folds,
or search-train for training and search-validation for scoring; never DS2), tracks
everything in MLflow, checkpoints after every candidate, and then retrains the best
architectures on DS1 with several seeds and evaluates them on DS2.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecgnas import __version__
from ecgnas.data.beatset import BeatSet
from ecgnas.data.cache import source_digest
from ecgnas.data.download import ensure_mitdb
from ecgnas.data.folds import fold_splits
from ecgnas.data.prepare import prepare_beats
from ecgnas.data.preprocess import PreprocessConfig
from ecgnas.data.rr import RR_FEATURES
from ecgnas.data.splits import split_records
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import EcgSearchConfig
from ecgnas.pipelines.ecg_evaluator import EcgEvaluator
from ecgnas.pipelines.final_training import retrain_top_architectures
from ecgnas.pipelines.run_dir import RunDirectory
from ecgnas.pipelines.search_report import write_search_report
from ecgnas.pipelines.size_limit import SizeLimit
from ecgnas.search.budget import Budget
from ecgnas.search.checkpoint import Checkpoint
from ecgnas.search.executor import Executor, LocalExecutor
from ecgnas.search.history import History
from ecgnas.search.loop import run_search
from ecgnas.search.predictor_evolution import PredictorEvolution
from ecgnas.search.random_search import RandomSearch
from ecgnas.search.regularized_evolution import RegularizedEvolution
from ecgnas.search.strategy import Strategy
from ecgnas.search.tracking import MlflowTracker, default_tracking_uri
from ecgnas.spaces.catalog import find_space_file, load_space
from ecgnas.spaces.declared_space import DeclaredSpace
from ecgnas.training.device import resolve_device

logger = logging.getLogger(__name__)


def data_fingerprint(folder: Path, records: tuple[str, ...]) -> str:
    """Return a SHA-256 digest over the source files of ``records``."""
    digest = hashlib.sha256()
    for name in records:
        digest.update(source_digest(folder, name).encode())
    return digest.hexdigest()[:16]


def cost_unit(device: str) -> str:
    """Name the unit of the budget on ``device``: GPU-hours or CPU core-hours."""
    return "GPU-hours" if resolve_device(device).type == "cuda" else "core-hours"


def build_strategy(
    config: EcgSearchConfig, space: DeclaredSpace, cache_dir: str | Path | None
) -> tuple[Strategy, dict[str, float]]:
    """Build the search strategy of ``config.method`` and return it with setup figures."""
    from ecgnas.predictor import VARIANTS, build_predictor, load_or_pretrain

    figures: dict[str, float] = {}
    if config.method == "rs":
        return RandomSearch(space, config.seed), figures
    if config.method == "rea":
        tournament = max(2, config.population // 4)
        return RegularizedEvolution(space, config.seed, config.population, tournament), figures

    predictor_config = dataclasses.replace(config.predictor, seed=config.seed)
    encoder = None
    if config.method == "dcl":
        started = time.perf_counter()
        encoders = None if cache_dir is None else Path(cache_dir) / "encoders"
        encoder = load_or_pretrain(
            space, predictor_config.encoder, predictor_config.pretrain, encoders, predictor_config.device
        )
        figures["pretrain_seconds"] = time.perf_counter() - started
        variant = VARIANTS["dual-contrastive"]
    else:
        variant = VARIANTS["gnn-mse"]
    predictor = build_predictor(variant, space, predictor_config, encoder=encoder)
    # Fine-tuning on the CPU uses every torch thread, so its wall time counts once per thread.
    scale = 1.0 if resolve_device(predictor_config.device).type == "cuda" else float(torch.get_num_threads())
    strategy = PredictorEvolution(space, predictor, config.evolution, config.seed, config.method, scale)
    return strategy, figures


def build_size_limit(config: EcgSearchConfig, space: DeclaredSpace) -> SizeLimit | None:
    """Return the size limit of ``config`` on ``space``, or ``None`` without one.

    Raises:
        ConfigError: No architecture of the space is within the limit.
    """
    if config.max_parameters is None and config.max_macs is None:
        return None
    limit = SizeLimit(space, len(config.rr_features), config.max_parameters, config.max_macs)
    limit.check_feasible(config.seed)
    logger.info("Candidates are limited to %s", limit.describe())
    return limit


def build_executor(config: EcgSearchConfig) -> Executor:
    """Return the executor that ``config`` names."""
    if config.executor == "local":
        return LocalExecutor()
    from ecgnas.search.ray_executor import RayExecutor

    return RayExecutor(config.ray_address, config.cpus_per_candidate, config.gpus_per_candidate)


def load_search_beats(
    data_dir: str | Path | None, cache_dir: str | Path | None, download: bool, preprocess: PreprocessConfig
) -> tuple[BeatSet, Path]:
    """Prepare the beats of DS1 and DS2 and return them with the records' folder."""
    folder = ensure_mitdb(data_dir, download=download)
    records = split_records("DS1") + split_records("DS2")
    beats = prepare_beats(records, preprocess, data_dir=folder.parent, cache_dir=cache_dir, download=False)
    return beats, folder


def search_splits(beats: BeatSet, folds: int | None) -> list[tuple[BeatSet, BeatSet]]:
    """Return the (train, validation) splits that score candidates; DS2 is in none of them.

    ``None`` gives the declared search-train and search-validation records; ``k`` gives
    ``k`` record folds of DS1.
    """
    if folds is None:
        train, validation = split_records("search-train"), split_records("search-validation")
        logger.info("Candidates validate on the search-validation records %s", ", ".join(validation))
        return [(beats.select(train), beats.select(validation))]
    splits = fold_splits(beats.select(split_records("DS1")), folds)
    for index, (_, validation) in enumerate(splits, start=1):
        logger.info("Record fold %d/%d validates on %s", index, folds, ", ".join(validation.record_names))
    return splits


def run_ecg_search(
    config: EcgSearchConfig | None,
    run_dir: str | Path,
    resume: bool = False,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    download: bool = True,
    tracking_uri: str | None = None,
    command: str | None = None,
) -> Path:
    """Run (or resume) a search and its final training; return the path of the report.

    Args:
        config: The search configuration; ignored when resuming, where the
            configuration stored in the run directory is used.
        run_dir: Directory for every output of the run.
        resume: Continue the interrupted search in ``run_dir``.
        data_dir: Data directory whose ``mitdb/`` folder contains the records.
        cache_dir: Cache of prepared beats and pre-trained encoders.
        download: Whether to download missing records from PhysioNet.
        tracking_uri: MLflow store; defaults to ``$MLFLOW_TRACKING_URI``, else an
            SQLite file in ``run_dir``.
        command: The command line that started the run, recorded in its report.

    Raises:
        ConfigError: The run directory already contains a search (without ``resume``),
            or contains none (with ``resume``).
        KeyboardInterrupt: The user stopped the search; every finished candidate is saved.
    """
    import os

    directory = RunDirectory(run_dir)
    if resume:
        state = directory.read_search()
        if "retrained_from" in state:
            raise ConfigError(
                f"{directory.path} contains a retraining, not a search; {directory.finish_hint(state)}"
            )
        config = config_from_dict(state["config"])
        tracking_uri = state["tracking_uri"]
        # A resumed search reads the data and caches of the original run unless the caller overrides them.
        data_dir = data_dir if data_dir is not None else state.get("data_dir")
        cache_dir = cache_dir if cache_dir is not None else state.get("cache_dir")
        download = download and state.get("download", True)
        logger.info("Resuming search %s in %s", config.name, directory.path)
    else:
        if config is None:
            raise ConfigError("a new search needs a configuration; pass a preset or a config")
        directory.check_new()

    # The space and the data are read before a new run directory is created, so that
    # a malformed space or missing records leave no half-made run behind.
    space_file = find_space_file(config.space)
    space = load_space(space_file)
    size_limit = build_size_limit(config, space)
    preprocess = config.preprocess
    beats, folder = load_search_beats(data_dir, cache_dir, download, preprocess)
    if not resume:
        directory.create()
        tracking_uri = (
            tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri(directory.path)
        )
        state = {
            "config": config.to_dict(),
            "tracking_uri": tracking_uri,
            "status": "starting",
            "command": command or "run_ecg_search()",
            "data_dir": None if data_dir is None else str(Path(data_dir).resolve()),
            "cache_dir": None if cache_dir is None else str(Path(cache_dir).resolve()),
            "download": download,
            "ecgnas_version": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        directory.write(state)
    splits = search_splits(beats, config.search_folds)
    fingerprint = data_fingerprint(folder, beats.record_names)
    unit = cost_unit(config.search_training.device)

    tracker = MlflowTracker(
        tracking_uri,
        config.experiment_name,
        directory.path / "mlartifacts",
        parent_run_id=state.get("mlflow_parent_run_id"),
    )
    tags = {
        "ecgnas.space_hash": space.space_hash,
        "ecgnas.data_checksum": fingerprint,
        "ecgnas.version": __version__,
        "ecgnas.method": config.method,
    }
    tracker.start({**config.to_dict(), "preprocess": dataclasses.asdict(preprocess)}, tags)
    state = directory.update(
        mlflow_parent_run_id=tracker.parent_run_id,
        mlflow_experiment=config.experiment_name,
        space_hash=space.space_hash,
        space_file=str(space_file.resolve()),
        data_checksum=fingerprint,
        status="searching",
        cost_unit=unit,
    )

    threads = config.search_training.max_threads
    if threads is not None:
        # The predictor fits between candidates in this process, so it uses their thread count.
        # With two threads on a busy 2-core machine a fit took 80-150 s instead of about 0.5 s.
        torch.set_num_threads(threads)
    strategy, figures = build_strategy(config, space, cache_dir)
    strategy.accept = size_limit
    if figures:
        tracker.log_metrics(figures)
    evaluator = EcgEvaluator(space, splits, config.search_training)
    budget = Budget(config.max_evaluations, config.budget_seconds)
    checkpoint = Checkpoint(directory.checkpoint, config.fingerprint())

    def on_result(result, history: History) -> None:
        tracker.log_candidate(result, len(history))
        spent = history.cost_seconds
        tracker.log_budget(spent, max(0.0, config.budget_seconds - spent), len(history))

    logger.info(
        "Searching %s with %s: budget %.2f %s%s",
        space.name,
        config.method,
        config.budget_seconds / 3600,
        unit,
        f", at most {config.max_evaluations} candidates" if config.max_evaluations else "",
    )
    try:
        history = run_search(strategy, evaluator, budget, build_executor(config), checkpoint, on_result)
    except KeyboardInterrupt:
        directory.update(status="interrupted")
        tracker.finish("KILLED")
        raise
    if size_limit is not None:
        # Counted in this process only: a resumed search starts the count again.
        logger.info("The size limit turned down %d proposals", size_limit.rejected)

    if history.best() is None:
        directory.update(status="failed")
        tracker.finish("FAILED")
        raise ConfigError(
            f"every one of the {len(history)} candidates failed; see the warnings above and the "
            f"candidate runs in MLflow ({tracking_uri})"
        )

    directory.update(status="final-training", search_cost_seconds=history.cost_seconds)
    report = run_final_phase(history, space, beats, config, directory, preprocess, tracker, fingerprint)
    logger.info("Search finished; report in %s, model in %s", report, directory.model_dir)
    return report


def run_final_phase(
    history: History,
    space: DeclaredSpace,
    beats: BeatSet,
    config: EcgSearchConfig,
    directory: RunDirectory,
    preprocess: PreprocessConfig,
    tracker: MlflowTracker,
    data_checksum: str,
) -> Path:
    """Retrain the top architectures of ``history``, write the report and close the MLflow run.

    The run directory's state must already name its space file and cost unit. An
    interrupted final phase marks the run ``interrupted``; the finished runs are kept.
    """
    state = directory.read()
    ds1, ds2 = beats.select(split_records("DS1")), beats.select(split_records("DS2"))
    try:
        final = retrain_top_architectures(history, space, ds1, ds2, config, directory, preprocess)
    except KeyboardInterrupt:
        directory.update(status="interrupted")
        tracker.finish("KILLED")
        raise

    report = write_search_report(
        directory, config, history, final, state["cost_unit"], Path(state["space_file"]), data_checksum
    )
    tracker.log_metrics({f"ds2_{k}": v for k, v in final.selected_metrics.items() if np.isfinite(v)})
    tracker.log_artifact(report)
    tracker.log_artifact(directory.model_dir)
    tracker.finish("FINISHED")
    directory.update(status="finished")
    return report


def config_from_dict(data: dict[str, Any]) -> EcgSearchConfig:
    """Rebuild an :class:`EcgSearchConfig` from :meth:`EcgSearchConfig.to_dict` output."""
    from ecgnas.predictor.config import EncoderConfig, FinetuneConfig, PredictorConfig, PretrainConfig
    from ecgnas.search.predictor_evolution import EvolutionConfig
    from ecgnas.training.config import TrainConfig

    def train_config(values: dict[str, Any]) -> TrainConfig:
        return TrainConfig(**{**values, "macro_classes": tuple(values["macro_classes"])})

    predictor = data["predictor"]
    pretrain = predictor.get("pretrain")
    # Searches from before the choice of RR features gave models all of them.
    values = {"rr_features": RR_FEATURES, **data}
    values.update(
        search_training=train_config(data["search_training"]),
        final_training=train_config(data["final_training"]),
        evolution=EvolutionConfig(**data["evolution"]),
        predictor=PredictorConfig(
            encoder=EncoderConfig(**predictor["encoder"]),
            pretrain=None if pretrain is None else PretrainConfig(**pretrain),
            finetune=FinetuneConfig(**predictor["finetune"]),
            seed=predictor["seed"],
            device=predictor["device"],
        ),
    )
    return EcgSearchConfig(**values)


def describe(history: History) -> dict[str, Any]:
    """Summarise a finished search for logs and reports."""
    best = history.best()
    return {
        "evaluations": len(history),
        "failed": sum(not result.ok for result in history),
        "cost_seconds": history.cost_seconds,
        "best_metric": None if best is None else best.metric,
        "best_arch": None if best is None else best.arch.to_string(),
    }


__all__ = ["config_from_dict", "describe", "run_ecg_search", "run_final_phase"]
