"""Hand-designed baselines trained under exactly the protocol of the search's final training.

A baseline run directory has the layout of a search run (``run.json``, ``final/``,
``model/``), with the baseline in place of the searched architecture, so that
``ecgnas compare`` reads both the same way.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch

from ecgnas import __version__
from ecgnas.atomic import write_atomic
from ecgnas.baselines import BASELINES, build_baseline
from ecgnas.data.splits import split_records
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import EcgSearchConfig
from ecgnas.pipelines.ecg_search import cost_unit, load_search_beats
from ecgnas.pipelines.final_training import final_entry, train_on_ds1
from ecgnas.pipelines.run_dir import RunDirectory
from ecgnas.pipelines.saved_model import save_model

logger = logging.getLogger(__name__)


def run_baseline(
    name: str,
    config: EcgSearchConfig,
    run_dir: str | Path,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    download: bool = True,
    command: str | None = None,
) -> Path:
    """Train baseline ``name`` on DS1 with ``config.final_training`` and ``config.final_seeds``; test on DS2.

    Returns:
        The run directory.

    Raises:
        ConfigError: Unknown baseline name, or the directory already contains a run.
    """
    if name not in BASELINES:
        raise ConfigError(f"unknown baseline {name!r}; choose one of {sorted(BASELINES)}")
    directory = RunDirectory(run_dir)
    directory.check_new()

    # The data is read before the run directory is created, so that missing or
    # corrupt records leave no half-made run behind.
    preprocess = config.preprocess
    beats, _ = load_search_beats(data_dir, cache_dir, download, preprocess)
    ds1, ds2 = beats.select(split_records("DS1")), beats.select(split_records("DS2"))

    directory.create()
    directory.write(
        {
            "kind": "baseline",
            "baseline": name,
            "config": config.to_dict(),
            "status": "training",
            "command": command or f"run_baseline({name!r})",
            "ecgnas_version": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "cost_unit": cost_unit(config.final_training.device),
        }
    )
    directory.final_dir.mkdir(parents=True, exist_ok=True)
    n_rr = ds1.rr.shape[1]

    selected = None
    for seed_index in range(config.final_seeds):
        seed = config.seed * 1000 + seed_index
        logger.info("Training baseline %s, seed %d (%d/%d)", name, seed, seed_index + 1, config.final_seeds)
        torch.manual_seed(seed)
        model = build_baseline(name, window=ds1.window, n_rr=n_rr)
        training = dataclasses.replace(config.final_training, seed=seed)
        result, test = train_on_ds1(model, ds1, ds2, training, config.final_epochs, config.epoch_folds)
        entry = final_entry(result, test, model, 1, seed, name, None, ds1.window)
        if result.ok and selected is None:
            selected = entry
            save_model(
                directory.model_dir,
                model,
                name,
                preprocess,
                result.normalizer,
                ds1.fs,
                ds1.window,
                {
                    "trained_on": "DS1",
                    "seed": seed,
                    "test_metrics_ds2": entry["test"],
                    "parameters": entry["parameters"],
                    "macs": entry["macs"],
                },
            )
        payload = json.dumps(entry, indent=2).encode()
        write_atomic(
            directory.final_dir / f"rank1-seed{seed_index}.json",
            lambda handle, data=payload: handle.write(data),
        )
    directory.update(status="finished" if selected else "failed")
    if selected is None:
        raise ConfigError(f"every training run of baseline {name} failed; see the warnings above")
    return directory.path


def summarise_baseline(run_dir: str | Path) -> str:
    """Return one line with the DS2 macro-F1 and per-class F1 of a baseline run, mean over seeds."""
    entries = [
        json.loads(path.read_text()) for path in sorted(RunDirectory(run_dir).final_dir.glob("*.json"))
    ]
    tests = [entry["test"] for entry in entries if entry["status"] == "ok"]
    if not tests:
        return "DS2: no finished seed"
    macro = [test["macro_f1"] for test in tests]
    score = f"{100 * np.mean(macro):.2f}"
    if len(macro) > 1:
        score += f" ± {100 * np.std(macro, ddof=1):.2f}"
    classes = ", ".join(
        f"{name} {100 * np.mean([test[f'f1_{name}'] for test in tests]):.1f}" for name in "NSVF"
    )
    seeds = f"{len(tests)} seed" if len(tests) == 1 else f"{len(tests)} seeds"
    return (
        f"DS2 macro-F1 {score} over {seeds} (F1 {classes}); `ecgnas compare {run_dir}` writes the full report"
    )
