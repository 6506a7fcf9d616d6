"""Final training: the best architectures of a search, retrained on DS1, tested on DS2.

Each (architecture, seed) run is saved as it finishes, so an interrupted final
phase resumes where it stopped. The selected model is the search's best
architecture by search-validation score (never by DS2 score, which would leak
the test set into the choice), trained with the first seed.

With ``final_epochs="holdout"`` (the default) a run trains on the search-train
records and keeps the weights of the epoch with the best macro-F1 on the
search-validation records, patients of DS1 that it does not train on. With
``"last"`` it trains on all of DS1 and keeps the last epoch; with ``"average"``
it trains the same way and keeps the mean of the weights after each epoch of the
last half (see :mod:`ecgnas.training.weight_average`). Inter-patient
scores swing by several points from one epoch to the next, so choosing the
epoch on held-out patients gives steadier models than the last epoch. The
search-validation records contain a large share of DS1's S beats, though, so
``"folds"`` trains on all of DS1 for the number of epochs that scored best on
record folds of DS1, at the cost of one extra training per fold.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecgnas.atomic import write_atomic
from ecgnas.data.beatset import BeatSet
from ecgnas.data.folds import fold_splits
from ecgnas.data.preprocess import PreprocessConfig
from ecgnas.data.splits import split_records
from ecgnas.pipelines.ecg_config import DEFAULT_EPOCH_FOLDS, EcgSearchConfig
from ecgnas.pipelines.ecg_evaluator import charged_seconds
from ecgnas.pipelines.run_dir import RunDirectory
from ecgnas.pipelines.saved_model import save_model
from ecgnas.search.history import History
from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.cost import count_macs, count_parameters
from ecgnas.spaces.declared_space import DeclaredSpace
from ecgnas.spaces.model import build_model
from ecgnas.training.config import TrainConfig
from ecgnas.training.fit import train_model
from ecgnas.training.metrics import AamiMetrics, aami_metrics
from ecgnas.training.predict import evaluate_model
from ecgnas.training.result import TrainResult

logger = logging.getLogger(__name__)


@dataclass
class FinalResult:
    """Outcome of the final phase.

    Attributes:
        runs: One entry per (rank, seed): architecture, seed, DS2 metrics, cost.
        selected: The entry of the selected model (rank 1, first seed).
    """

    runs: list[dict[str, Any]] = field(default_factory=list)
    selected: dict[str, Any] = field(default_factory=dict)

    @property
    def selected_metrics(self) -> dict[str, float]:
        """DS2 metrics of the selected model."""
        return self.selected.get("test", {})


def top_architectures(history: History, k: int) -> list[EvaluationResult]:
    """Return the ``k`` best successful results by validation metric, best first."""
    ranked = sorted(history.successful, key=lambda result: result.metric, reverse=True)
    return ranked[:k]


def retrain_top_architectures(
    history: History,
    space: DeclaredSpace,
    ds1: BeatSet,
    ds2: BeatSet,
    config: EcgSearchConfig,
    directory: RunDirectory,
    preprocess: PreprocessConfig,
) -> FinalResult:
    """Retrain the top architectures with several seeds on DS1, evaluate on DS2, save the selected model."""
    final = FinalResult()
    directory.final_dir.mkdir(parents=True, exist_ok=True)
    n_rr = ds1.rr.shape[1]
    top = top_architectures(history, config.final_top_k)
    total = len(top) * config.final_seeds
    if config.final_epochs in ("last", "average", "folds"):
        logger.info(
            "Final training: the 'validation' figures logged below for runs on all of DS1 are DS2 test "
            "scores, computed after the last epoch only; no epoch or architecture is chosen by them"
        )
    for rank, candidate in enumerate(top, start=1):
        for seed_index in range(config.final_seeds):
            seed = config.seed * 1000 + seed_index
            stem = f"rank{rank}-seed{seed_index}"
            summary_path = directory.final_dir / f"{stem}.json"
            if summary_path.is_file():
                entry = json.loads(summary_path.read_text())
                logger.info("Final training %s already done; reusing it", stem)
            else:
                logger.info(
                    "Final training %d/%d: rank %d (validation %.4f), seed %d",
                    len(final.runs) + 1,
                    total,
                    rank,
                    candidate.metric,
                    seed,
                )
                entry = _train_one(candidate, rank, seed, space, ds1, ds2, config, n_rr, directory, stem)
                payload = json.dumps(entry, indent=2).encode()
                write_atomic(summary_path, lambda handle, data=payload: handle.write(data))
            final.runs.append(entry)

    selected = next((run for run in final.runs if run["status"] == "ok"), None)
    if selected is None:
        logger.warning("Every final training run failed; no model is saved")
        return final
    final.selected = selected
    _save_selected(selected, space, ds1, preprocess, directory)
    return final


def _train_one(
    candidate: EvaluationResult,
    rank: int,
    seed: int,
    space: DeclaredSpace,
    ds1: BeatSet,
    ds2: BeatSet,
    config: EcgSearchConfig,
    n_rr: int,
    directory: RunDirectory,
    stem: str,
) -> dict[str, Any]:
    training = dataclasses.replace(config.final_training, seed=seed)
    torch.manual_seed(seed)
    model = build_model(candidate.arch, space, rr_features=n_rr)
    result, test = train_on_ds1(model, ds1, ds2, training, config.final_epochs, config.epoch_folds)
    entry = final_entry(
        result, test, model, rank, seed, candidate.arch.to_string(), candidate.metric, ds1.window
    )
    if result.ok:
        weights = directory.final_dir / f"{stem}.pt"
        torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, weights)
    return entry


def train_on_ds1(
    model: torch.nn.Module,
    ds1: BeatSet,
    ds2: BeatSet,
    training: TrainConfig,
    epochs: str,
    folds: int = DEFAULT_EPOCH_FOLDS,
) -> tuple[TrainResult, AamiMetrics | None]:
    """Train ``model`` on DS1 with the epoch choice ``epochs`` and return the run and its DS2 metrics.

    Args:
        model: Trained in place.
        ds1: Training beats, all DS1 records.
        ds2: Test beats.
        training: Settings; ``restore_best`` and ``validate_every_epoch`` are set here.
        epochs: ``holdout`` (choose the epoch on the search-validation records,
            which are then left out of training), ``last``, ``average`` (the mean
            weights of the last half of the epochs), or ``folds`` (choose the
            number of epochs on ``folds`` record folds of DS1, then train on all of DS1).
        folds: Number of record folds for ``epochs="folds"``.

    Returns:
        The training run (``None`` metrics when it failed) and the DS2 metrics.
    """
    if epochs in ("last", "average"):
        # DS2 is the test set, so it is scored once, after the last epoch, and no per-epoch
        # test score reaches the logs or the run's files. Each loader draws from its own
        # generator, so skipping those scorings leaves the trained weights unchanged.
        averaged = max(1, training.epochs // 2) if epochs == "average" else 0
        training = dataclasses.replace(
            training, restore_best=False, validate_every_epoch=False, average_epochs=averaged
        )
        result = train_model(model, ds1, ds2, training)
        return result, result.final_metrics

    if epochs == "folds":
        return _train_with_fold_epochs(model, ds1, ds2, training, folds)

    train, holdout = ds1.select(split_records("search-train")), ds1.select(split_records("search-validation"))
    training = dataclasses.replace(training, restore_best=True, validate_every_epoch=True)
    result = train_model(model, train, holdout, training)
    if not result.ok:
        return result, None
    test = evaluate_model(
        model, ds2, result.normalizer, training.eval_batch_size, macro_classes=training.macro_classes
    )
    return result, test


def _train_with_fold_epochs(
    model: torch.nn.Module, ds1: BeatSet, ds2: BeatSet, training: TrainConfig, folds: int
) -> tuple[TrainResult, AamiMetrics | None]:
    """Choose the epoch count by pooled out-of-fold macro-F1, then train ``model`` on all of DS1.

    Every fold run, and the final run, starts from ``model``'s initial weights. The returned
    run is the one on all of DS1, with ``best_epoch`` set to the chosen count and
    ``device_seconds`` including the fold runs.
    """
    initial = copy.deepcopy(model.state_dict())
    fold_training = dataclasses.replace(training, restore_best=False, validate_every_epoch=True)
    confusions = []  # one (epochs, classes, classes) array per fold
    spent = 0.0
    for index, (train, validation) in enumerate(fold_splits(ds1, folds), start=1):
        logger.info("Choosing the epoch count: fold %d of %d", index, folds)
        model.load_state_dict(initial)
        result = train_model(model, train, validation, fold_training)
        spent += result.device_seconds
        if not result.ok:
            reason = f"fold {index} of {folds}: {result.reason}"
            return dataclasses.replace(result, reason=reason, device_seconds=spent), None
        confusions.append(np.stack([record.validation.confusion for record in result.epochs]))

    pooled = np.sum(confusions, axis=0)
    scores = [aami_metrics(confusion, macro_classes=training.macro_classes).macro_f1 for confusion in pooled]
    chosen = int(np.nanargmax(scores)) + 1
    logger.info(
        "Out-of-fold macro-F1 per epoch: %s; training on all of DS1 for %d epochs",
        ", ".join(f"{score:.3f}" for score in scores),
        chosen,
    )

    model.load_state_dict(initial)
    on_ds1 = dataclasses.replace(training, epochs=chosen, restore_best=False, validate_every_epoch=False)
    result = train_model(model, ds1, ds2, on_ds1)
    result = dataclasses.replace(result, best_epoch=chosen, device_seconds=result.device_seconds + spent)
    return result, result.final_metrics


def final_entry(
    result: TrainResult,
    test: AamiMetrics | None,
    model: torch.nn.Module,
    rank: int,
    seed: int,
    arch: str,
    validation_metric: float | None,
    window: int,
) -> dict[str, Any]:
    """Summarise one final training run (DS1 to DS2) as the JSON entry that reports read.

    ``test`` contains the DS2 metrics. ``holdout_macro_f1`` and ``best_epoch`` are set when
    the epoch was chosen on held-out DS1 records.
    """
    n_rr = len(result.normalizer.rr_mean)
    entry: dict[str, Any] = {
        "rank": rank,
        "seed": seed,
        "arch": arch,
        "validation_metric": validation_metric,
        "status": result.status,
        "reason": result.reason,
        "cost_seconds": charged_seconds(result),
        "parameters": count_parameters(model),
        "macs": count_macs(model, window, n_rr),
        "normalizer": dataclasses.asdict(result.normalizer),
        "best_epoch": result.best_epoch,
        "holdout_macro_f1": None,
        "test": {},
        "confusion": None,
    }
    if result.ok and test is not None:
        entry["test"] = {k: v for k, v in test.as_flat_dict().items() if math.isfinite(v)}
        entry["confusion"] = np.asarray(test.confusion).tolist()
        if result.config.restore_best:
            entry["holdout_macro_f1"] = result.final_metrics.macro_f1
    return entry


def _save_selected(
    selected: dict[str, Any],
    space: DeclaredSpace,
    ds1: BeatSet,
    preprocess: PreprocessConfig,
    directory: RunDirectory,
) -> Path:
    from ecgnas.data.dataset import Normalizer
    from ecgnas.spaces.architecture import Architecture

    arch = Architecture.from_string(selected["arch"])
    model = build_model(arch, space, rr_features=ds1.rr.shape[1])
    stem = f"rank{selected['rank']}-seed{selected['seed'] % 1000}"
    state = torch.load(directory.final_dir / f"{stem}.pt", map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    normalizer = Normalizer.from_dict(selected["normalizer"])
    space_yaml = Path(directory.read()["space_file"]).read_text()
    extra = {
        "arch": selected["arch"],
        "space_name": space.name,
        "space_yaml": space_yaml,
        "trained_on": "DS1",
        "seed": selected["seed"],
        "test_metrics_ds2": selected["test"],
        "parameters": selected["parameters"],
        "macs": selected["macs"],
    }
    return save_model(
        directory.model_dir, model, "searched", preprocess, normalizer, ds1.fs, ds1.window, extra
    )
