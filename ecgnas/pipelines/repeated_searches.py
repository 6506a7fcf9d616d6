"""Several searches of one method in a comparison: distinct names and a summary over searches.

The architecture a search picks depends on its seed, so a claim that one method finds
better models than another, or than a hand-designed network, needs the spread over
repeated searches, not only over the training seeds of one pick. This module names
each repeated search by its seed and reports, per method, the mean and standard
deviation over searches of each pick's DS2 score.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np


def label_repeats(models: list[dict[str, Any]]) -> None:
    """Append the search seed to the name of every search whose name another search shares.

    ``searched (dcl)`` twice becomes ``searched (dcl, seed 0)`` and ``searched (dcl, seed 1)``,
    so that tables, figures and targets tell them apart.
    """
    counts = Counter(m["name"] for m in models)
    for m in models:
        if m["kind"] != "baseline" and counts[m["name"]] > 1:
            m["name"] = m["name"].replace(")", f", seed {m['search_seed']})", 1)


def searches_by_method(models: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group the searched models by method, in the order they were given."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in models:
        if m["kind"] != "baseline":
            groups.setdefault(m["method"], []).append(m)
    return groups


def finite_mean(values: list[float]) -> float:
    """Mean of the finite values; NaN when there are none."""
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def pick_score(model: dict[str, Any], key: str = "macro_f1") -> float:
    """Mean over training seeds of one search's pick, as a fraction."""
    return finite_mean(model["metrics"].get(key, []))


def method_scores(searches: list[dict[str, Any]], key: str = "macro_f1") -> tuple[float, float]:
    """Mean and sample standard deviation over searches of their picks' scores (sd NaN for one)."""
    scores = [pick_score(m, key) for m in searches]
    finite = [s for s in scores if math.isfinite(s)]
    if not finite:
        return math.nan, math.nan
    spread = float(np.std(finite, ddof=1)) if len(finite) > 1 else math.nan
    return float(np.mean(finite)), spread


def repeated_search_lines(models: list[dict[str, Any]]) -> list[str]:
    """Return the report section on repeated searches, or nothing when no method ran twice."""
    groups = {method: runs for method, runs in searches_by_method(models).items() if len(runs) > 1}
    if not groups:
        return []

    lines = [
        "## Repeated searches",
        "",
        "Each search's pick is scored by its DS2 mean over training seeds; the spread below is over "
        "searches with different seeds, which is what a claim about a search method rests on. "
        "Search score: the pick's macro-F1 on the search-validation records at search fidelity.",
        "",
        "| method | searches | DS2 macro-F1 of each pick | mean ± sd over searches | F1 S | F1 V "
        "| search score of each pick |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for method, runs in groups.items():
        picks = ", ".join(f"{100 * pick_score(m):.2f}" for m in runs)
        search = ", ".join(
            f"{m['search_score']:.3f}" if m["search_score"] is not None else "n/a" for m in runs
        )
        cells = [_mean_sd(method_scores(runs, key)) for key in ("macro_f1", "f1_S", "f1_V")]
        lines.append(f"| {method} | {len(runs)} | {picks} | " + " | ".join(cells) + f" | {search} |")
    return [*lines, ""]


def _mean_sd(values: tuple[float, float]) -> str:
    mean, spread = values
    if not math.isfinite(mean):
        return "n/a"
    return f"{100 * mean:.2f}" if not math.isfinite(spread) else f"{100 * mean:.2f} ± {100 * spread:.2f}"
