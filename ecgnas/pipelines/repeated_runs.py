"""Several runs of one model in a comparison: distinct names and a summary over runs.

The architecture a search picks depends on its seed, so a claim that one method finds
better models than another, or than a hand-designed network, needs the spread over
repeated searches, not only over the training seeds of one pick. A baseline run again
with another ``--seed`` adds training seeds of the same network, which narrows its
mean. This module names each repeated run by its seed and reports, per model, the
mean and standard deviation over runs of each run's DS2 score.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.report_numbers import finite_mean, mean_sd_cell

RUN_ONLY_SETTINGS = frozenset(
    {
        "seed",
        "name",
        "experiment",
        "executor",
        "ray_address",
        "cpus_per_candidate",
        "gpus_per_candidate",
        "device",
        "max_threads",
    }
)
"""Configuration keys, at any depth, left out of a run's settings: the seed, which repeated
runs are meant to vary, and keys that do not change what a run computes."""


def settings_key(config: dict[str, Any]) -> str:
    """Return a short hash of a run's configuration without :data:`RUN_ONLY_SETTINGS`.

    Runs of one model pool only when their keys match, so that a search with another
    budget or final-training protocol is not averaged in as if only its seed differed.
    Keys set to ``None`` are left out too: a setting added in a later version, such as
    a size limit, is ``None`` when off, so a run without it matches an older run.
    """

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: strip(item)
                for key, item in value.items()
                if key not in RUN_ONLY_SETTINGS and item is not None
            }
        return value

    text = json.dumps(strip(config), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def check_distinct(run_dirs: list[str | os.PathLike]) -> None:
    """Reject a run directory given twice, also through another spelling or a link.

    Raises:
        ConfigError: Two arguments resolve to the same folder.
    """
    seen: dict[Path, str | os.PathLike] = {}
    for path in run_dirs:
        resolved = Path(path).resolve()
        if resolved in seen:
            raise ConfigError(f"{seen[resolved]} and {path} are the same run directory; pass each run once")
        seen[resolved] = path


def label_repeats(models: list[dict[str, Any]]) -> None:
    """Name repeated runs apart and assign each run the ``group`` it is pooled in.

    Runs pool when they share a name and settings (see :func:`settings_key`). A name
    shared by several runs gets the run seed: ``searched (dcl)`` twice becomes
    ``searched (dcl, seed 0)`` and ``searched (dcl, seed 1)``, and ``kachuee2018`` twice
    becomes ``kachuee2018 (seed 0)`` and ``kachuee2018 (seed 1)``. When runs of one name
    differ in settings, names and groups also get a short settings tag
    (``settings 1a2b3c``), so that each set of same-settings runs pools on its own.
    ``base_name`` keeps the name each run came with.

    Raises:
        ConfigError: Two runs of one model with the same settings have the same seed, for
            example a copied run folder, which would count as two runs.
    """
    counts = Counter(m["name"] for m in models)
    settings: dict[str, set[str]] = {}
    seeds: dict[tuple[str, str, Any], str] = {}
    for m in models:
        settings.setdefault(m["name"], set()).add(m["settings"])
        twin = seeds.setdefault((m["name"], m["settings"], m["run_seed"]), m["path"])
        if twin != m["path"]:
            raise ConfigError(
                f"runs {twin} and {m['path']} are both {m['name']} with seed {m['run_seed']} and the "
                "same settings, so they would count as two runs; pass one of them"
            )

    for m in models:
        name = m["name"]
        mixed = len(settings[name]) > 1
        tags = []
        if counts[name] > 1:
            tags.append(f"seed {m['run_seed']}")
        if mixed:
            tags.append(f"settings {m['settings'][:6]}")
        m["base_name"] = name
        m["group"] = f"{name}, settings {m['settings'][:6]}" if mixed else name
        m["name"] = _with_tags(name, tags)


def _with_tags(name: str, tags: list[str]) -> str:
    """Add ``tags`` inside the name's closing parenthesis, or in new parentheses."""
    if not tags:
        return name
    if name.endswith(")"):
        return f"{name[:-1]}, {', '.join(tags)})"
    return f"{name} ({', '.join(tags)})"


def group_runs(models: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group the runs by ``group`` (see :func:`label_repeats`), in the order they were given."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in models:
        groups.setdefault(m.get("group", m["name"]), []).append(m)
    return groups


def run_score(model: dict[str, Any], key: str = "macro_f1") -> float:
    """Return the mean over training seeds of one run's ``key`` metric, as a fraction."""
    return finite_mean(model["metrics"].get(key, []))


def pooled(group: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the one run of ``group``, or an entry whose metrics are each run's mean over seeds.

    Targets of a model run several times are judged on the mean over runs, the figure
    that does not depend on which seed happened to be listed.
    """
    if len(runs) == 1:
        return runs[0]
    first = runs[0]
    return {
        "name": f"{group}, mean of {len(runs)} runs",
        "kind": first["kind"],
        "method": first["method"],
        "runs": len(runs),
        "metrics": {key: [run_score(m, key) for m in runs] for key in first["metrics"]},
        # Each run's confusion is already a mean over its seeds, so every run weighs the same.
        "confusion": np.mean([m["confusion"] for m in runs], axis=0),
    }


def pooled_models(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return one entry per model: the run itself, or the mean over its runs (see :func:`pooled`)."""
    return [pooled(group, runs) for group, runs in group_runs(models).items()]


def repeated_run_lines(models: list[dict[str, Any]]) -> list[str]:
    """Return the report section on repeated runs, or nothing when no model ran twice.

    ``models`` must have passed through :func:`label_repeats`.
    """
    groups = {group: runs for group, runs in group_runs(models).items() if len(runs) > 1}
    # Runs whose group carries a settings tag share their name with runs of other settings.
    mixed = list(dict.fromkeys(m["base_name"] for m in models if m["group"] != m["base_name"]))
    if not groups and not mixed:
        return []

    lines = [
        "## Repeated runs",
        "",
        "Each run is scored by its DS2 mean over training seeds, and the spread below is over runs "
        "with different seeds. For a search, each run is a new search with its own pick, which is "
        "what a claim about a search method rests on. For a baseline, each run adds training seeds "
        "of the same network. Search score: the pick's macro-F1 in percent at search fidelity, on "
        "the search-validation records, or on out-of-fold predictions over DS1 for a search scored "
        "on record folds (marked with the number of folds).",
    ]
    if groups:
        lines += [
            "",
            "| model | runs | DS2 macro-F1 of each run | mean ± sd over runs | F1 S | F1 V "
            "| search score of each pick |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
    for group, runs in groups.items():
        run_means = ", ".join(f"{100 * run_score(m):.2f}" for m in runs)
        searched = any(m["kind"] == "search" for m in runs)
        search = ", ".join(_search_score(m) for m in runs) if searched else "not searched"
        run_means_by_key = pooled(group, runs)["metrics"]
        cells = [mean_sd_cell(run_means_by_key.get(key, [])) for key in ("macro_f1", "f1_S", "f1_V")]
        lines.append(f"| {group} | {len(runs)} | {run_means} | " + " | ".join(cells) + f" | {search} |")
    if mixed:
        lines += [
            "",
            "Runs of " + ", ".join(mixed) + " differ in settings other than the seed, so they are "
            "tagged with a hash of their settings and pooled only with runs of the same settings.",
        ]
    return [*lines, ""]


def _search_score(model: dict[str, Any]) -> str:
    score = model.get("search_score")
    if score is None:
        return "n/a"
    folds = model.get("search_folds")
    return f"{100 * score:.1f}" + (f" ({folds} folds)" if folds else "")
