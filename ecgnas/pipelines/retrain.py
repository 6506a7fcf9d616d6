"""Final training of a finished search again, under other final-training settings.

The search phase of a run costs most of its budget and does not depend on how
the top architectures are retrained afterwards. ``retrain_search`` reads the
candidates of a finished search and repeats only the final phase, with other
final-training settings such as ``final_epochs`` or the class weights, into a new
run directory.
The source run is left as it is, so the two protocols can be compared on the
same architectures with ``ecgnas compare``.

The new directory is a complete search run. Its ``checkpoint.json`` contains the
source's candidates under the new configuration, and its report and MLflow parent
run are its own. Its compute includes the source's search cost, because the model
it selects needed that search.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from pathlib import Path

from ecgnas import __version__
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import EcgSearchConfig
from ecgnas.pipelines.ecg_search import (
    config_from_dict,
    data_fingerprint,
    load_search_beats,
    run_final_phase,
)
from ecgnas.pipelines.run_dir import RunDirectory
from ecgnas.search.checkpoint import Checkpoint
from ecgnas.search.history import History
from ecgnas.search.tracking import MlflowTracker, default_tracking_uri
from ecgnas.spaces.catalog import load_space
from ecgnas.spaces.declared_space import DeclaredSpace

logger = logging.getLogger(__name__)

SEARCHED = ("final-training", "finished")
"""Run states in which every candidate of the search is in its checkpoint."""


def read_finished_search(source: str | Path) -> tuple[dict, EcgSearchConfig, History]:
    """Return the state, configuration and candidates of the search in ``source``.

    Raises:
        ConfigError: ``source`` is no search run, or its search has not finished.
    """
    directory = RunDirectory(source)
    state = directory.read_search()
    if state.get("status") not in SEARCHED:
        raise ConfigError(
            f"the search in {directory.path} has not finished its candidates (status "
            f"{state.get('status', 'unknown')!r}); {directory.finish_hint(state)} first"
        )
    config = config_from_dict(state["config"])
    results = Checkpoint(directory.checkpoint, config.fingerprint()).load()
    if not any(result.ok for result in results):
        raise ConfigError(f"the search in {directory.path} has no successful candidate to retrain")
    return state, config, History(results)


def retrain_search(
    source: str | Path,
    run_dir: str | Path,
    changes: dict,
    training_changes: dict | None = None,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    download: bool = True,
    tracking_uri: str | None = None,
    command: str | None = None,
) -> Path:
    """Repeat the final phase of the finished search in ``source`` with ``changes``; return the report.

    Args:
        source: Run directory of a search whose candidates are all evaluated.
        run_dir: New run directory for the retrained models.
        changes: :class:`EcgSearchConfig` fields to change, such as ``final_epochs`` or
            ``final_training``; fields of the search phase may not change.
        training_changes: Fields of the source's final :class:`TrainConfig` to change,
            such as ``class_weight_power``, applied after ``changes``.
        data_dir: Data directory whose ``mitdb/`` folder contains the records; defaults
            to the source run's.
        cache_dir: Cache of prepared beats; defaults to the source run's.
        download: Whether to download missing records from PhysioNet.
        tracking_uri: MLflow store; defaults to ``$MLFLOW_TRACKING_URI``, else an SQLite
            file in ``run_dir``. A continued retraining keeps the store it started with.
        command: The command line of the retraining, recorded after the source's.

    Raises:
        ConfigError: The source has no finished search, ``run_dir`` already contains a
            run, or ``changes`` touches the search phase.
    """
    state, config, history = read_finished_search(source)
    final_fields = {"final_training", "final_top_k", "final_seeds", "final_epochs"}
    if set(changes) - final_fields:
        raise ConfigError(
            f"retraining changes only final-training settings {sorted(final_fields)}, got "
            f"{sorted(set(changes) - final_fields)}; run a new search to change the others"
        )
    new_config = dataclasses.replace(config, **changes)
    if training_changes:
        final_training = dataclasses.replace(new_config.final_training, **training_changes)
        new_config = dataclasses.replace(new_config, final_training=final_training)
    directory = RunDirectory(run_dir)
    source_path = str(Path(source).resolve())
    resuming = _continues_retraining(directory, source_path, new_config)

    # The data and the space are read before the new directory is created, so that
    # missing records leave no half-made run behind.
    data_dir = data_dir if data_dir is not None else state.get("data_dir")
    cache_dir = cache_dir if cache_dir is not None else state.get("cache_dir")
    space = _load_unchanged_space(state, source)
    preprocess = new_config.preprocess
    beats, folder = load_search_beats(data_dir, cache_dir, download, preprocess)
    fingerprint = data_fingerprint(folder, beats.record_names)
    if fingerprint != state.get("data_checksum", fingerprint):
        raise ConfigError(
            f"the records in {folder} differ from those the search in {source} used (checksum "
            f"{fingerprint}, recorded {state['data_checksum']}); pass the search's --data-dir"
        )

    if resuming:
        logger.info("Continuing the unfinished retraining in %s", directory.path)
        # Threads and device may differ from the start, so the state records the latest.
        state = directory.update(config=new_config.to_dict())
    else:
        state = _start_run_directory(
            directory, state, new_config, history, source_path, command, tracking_uri
        )
    state = directory.update(
        data_dir=None if data_dir is None else str(Path(data_dir).resolve()),
        cache_dir=None if cache_dir is None else str(Path(cache_dir).resolve()),
        download=download,
        data_checksum=fingerprint,
    )

    tracker = MlflowTracker(
        state["tracking_uri"],
        new_config.experiment_name,
        directory.path / "mlartifacts",
        parent_run_id=state.get("mlflow_parent_run_id"),
    )
    tags = {
        "ecgnas.space_hash": space.space_hash,
        "ecgnas.data_checksum": fingerprint,
        "ecgnas.version": __version__,
        "ecgnas.method": new_config.method,
        "ecgnas.retrained_from": source_path,
    }
    tracker.start({**new_config.to_dict(), "preprocess": dataclasses.asdict(preprocess)}, tags)
    directory.update(
        mlflow_parent_run_id=tracker.parent_run_id,
        mlflow_experiment=new_config.experiment_name,
        status="final-training",
    )
    logger.info(
        "Retraining the top %d architectures of %s in %s", new_config.final_top_k, source, directory.path
    )

    report = run_final_phase(history, space, beats, new_config, directory, preprocess, tracker, fingerprint)
    logger.info("Retraining finished; report in %s, model in %s", report, directory.model_dir)
    return report


RUN_ONLY_SETTINGS = ("max_threads", "device")
"""Training settings that change where and how fast a run trains, not what it finds."""


def _continues_retraining(directory: RunDirectory, source: str, config: EcgSearchConfig) -> bool:
    """Check ``directory`` for a retraining: return True for an unfinished one of ``source`` to continue.

    Raises:
        ConfigError: ``directory`` is the source, or contains any other run.
    """
    if directory.path.resolve() == Path(source):
        raise ConfigError(
            f"--run-dir {directory.path} is the source run; retraining writes a new run directory, "
            "so choose another --run-dir"
        )
    if not directory.run_file.is_file():
        return False

    state = directory.read()
    if state.get("retrained_from") != source:
        raise ConfigError(
            f"run directory {directory.path} already contains another run; retraining writes a new "
            "run directory, so choose another --run-dir"
        )
    if state.get("status") == "finished":
        raise ConfigError(
            f"run directory {directory.path} already contains a finished retraining of {source}; "
            "choose another --run-dir"
        )
    differences = _setting_differences(state["config"], config.to_dict())
    if differences:
        raise ConfigError(
            f"run directory {directory.path} contains an unfinished retraining of {source} with other "
            f"settings ({', '.join(differences)}); continue it with the options that started it "
            f"(see {directory.run_file}) or choose another --run-dir"
        )
    return True


def _setting_differences(started: dict, requested: dict) -> list[str]:
    """Return the names of the configuration fields that differ, leaving out threads and device."""
    differences = []
    for key in sorted(set(started) | set(requested)):
        before, after = started.get(key), requested.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            names = sorted(set(before) | set(after))
            differences += [
                f"{key}.{name}"
                for name in names
                if name not in RUN_ONLY_SETTINGS and before.get(name) != after.get(name)
            ]
        elif before != after:
            differences.append(key)
    return differences


def _start_run_directory(
    directory: RunDirectory,
    source_state: dict,
    config: EcgSearchConfig,
    history: History,
    source: str,
    command: str | None,
    tracking_uri: str | None,
) -> dict:
    """Create the new run directory: its state file and the source's candidates as its checkpoint."""
    directory.create()
    source_command = source_state.get("command", f"ecgnas search --run-dir {source}")
    state = {
        "config": config.to_dict(),
        "tracking_uri": tracking_uri
        or os.environ.get("MLFLOW_TRACKING_URI")
        or default_tracking_uri(directory.path),
        "status": "final-training",
        # The search and the retraining together reproduce the run.
        "command": f"{source_command} && {command or f'retrain_search({source!r})'}",
        "retrained_from": source,
        "ecgnas_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "space_hash": source_state["space_hash"],
        "space_file": source_state["space_file"],
        "cost_unit": source_state.get("cost_unit", "core-hours"),
        # The source's figure also counts strategy time that no candidate carries.
        "search_cost_seconds": source_state.get("search_cost_seconds", history.cost_seconds),
    }
    directory.write(state)
    Checkpoint(directory.checkpoint, config.fingerprint()).save(history)
    return state


def _load_unchanged_space(state: dict, source: str | Path) -> DeclaredSpace:
    """Load the search's space file, which must still declare the space that was searched."""
    space_file = Path(state["space_file"])
    space = load_space(space_file)
    if space.space_hash != state.get("space_hash"):
        raise ConfigError(
            f"the space file {space_file} changed since the search in {source} (hash "
            f"{space.space_hash}, recorded {state.get('space_hash')}); restore it to retrain"
        )
    return space
