"""The Markdown report of one ECG search run."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.pipelines.ecg_config import FINAL_EPOCHS_TEXT, EcgSearchConfig, scoring_text
from ecgnas.pipelines.final_training import FinalResult
from ecgnas.pipelines.run_dir import RunDirectory
from ecgnas.pipelines.size_limit import describe_limit
from ecgnas.search.history import History


def _mean_std(values: list[float]) -> str:
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}"


def per_class_table(metrics: dict[str, float]) -> list[str]:
    """Format Se, +P, F1 and FPR per AAMI class as Markdown rows."""
    lines = ["| class | Se | +P | F1 | FPR |", "| --- | --- | --- | --- | --- |"]
    for name in AAMI_CLASSES:
        cells = [
            metrics.get(f"{key}_{name}", math.nan)
            for key in ("sensitivity", "positive_predictivity", "f1", "false_positive_rate")
        ]
        lines.append(
            f"| {name} | " + " | ".join("n/a" if math.isnan(v) else f"{v:.4f}" for v in cells) + " |"
        )
    return lines


def _power_text(power: float) -> str:
    return "" if power == 1 else f" with class-weight power {power:g}"


def _size_limit_lines(config: EcgSearchConfig) -> list[str]:
    limit = describe_limit(config.max_parameters, config.max_macs)
    return [f"- Candidates limited to {limit}"] if limit else []


def _retrained_lines(state: dict) -> list[str]:
    source = state.get("retrained_from")
    if source is None:
        return []
    return [
        f"- Retrained: `ecgnas retrain` repeated the final training of the search in `{source}` with "
        "the settings above; the search figures below are that search's"
    ]


def write_search_report(
    directory: RunDirectory,
    config: EcgSearchConfig,
    history: History,
    final: FinalResult,
    unit: str,
    space_file: Path,
    data_checksum: str,
) -> Path:
    """Write ``report.md`` in the run directory and return its path."""
    state = directory.read()
    best = history.best()
    failed = [result for result in history if not result.ok]
    # The state's figure also counts strategy time that no candidate carries; a retraining copies it.
    hours = state.get("search_cost_seconds", history.cost_seconds) / 3600
    lines = [
        f"# ECG architecture search: {config.name}",
        "",
        f"Produced by `{state.get('command', 'ecgnas search')}` (ecgnas {state.get('ecgnas_version')}), "
        f"run directory `{directory.path}`.",
        "",
        "## Setup",
        "",
        f"- Method: `{config.method}`, seed {config.seed}",
        f"- Space: `{space_file.name}` (hash {state.get('space_hash')})",
        f"- Data: MIT-BIH, DS1 for the search and final training, DS2 for the test only "
        f"(data checksum {data_checksum})",
        f"- Budget: {config.budget_seconds / 3600:.3f} {unit}"
        + (f", at most {config.max_evaluations} candidates" if config.max_evaluations else ""),
        *_size_limit_lines(config),
        f"- Candidate training: {_count(config.search_training.epochs, 'epoch')}, N beats kept "
        f"{config.search_training.normal_fraction:g}, class balance "
        f"`{config.search_training.class_balance}`; {scoring_text(config.search_folds)}",
        f"- Final training: top {config.final_top_k} × {_count(config.final_seeds, 'seed')}, "
        f"{_count(config.final_training.epochs, 'epoch')}, N beats kept "
        f"{config.final_training.normal_fraction:g}, class balance "
        f"`{config.final_training.class_balance}`{_power_text(config.final_training.class_weight_power)}, "
        f"{FINAL_EPOCHS_TEXT[config.final_epochs]}"
        + ("; training beats perturbed (`--augment`)" if config.final_training.augments else ""),
        f"- RR features given to every model: {', '.join(f'`{name}`' for name in config.rr_features)}",
        *_retrained_lines(state),
        "",
        "## Search",
        "",
        f"- Candidates evaluated: {len(history)} ({len(failed)} failed)",
        f"- Budget spent: {hours:.3f} {unit} of {config.budget_seconds / 3600:.3f}",
        f"- Best search score (validation macro-F1 over N, S, V, F, as scored in the search): "
        f"{best.metric:.4f}"
        if best
        else "- No candidate succeeded",
    ]
    if best is not None:
        lines += [f"- Best architecture: `{best.arch.to_string()}`"]
    sampling = sampling_line(config, history)
    if sampling:
        lines += [sampling]
    curve = history.best_so_far()
    marks = sorted({n for n in (1, 5, 10, 20, 50, 100, len(curve)) if n <= len(curve)})
    lines += ["", "| candidates | best search score |", "| --- | --- |"]
    lines += [f"| {n} | {curve[n - 1]:.4f} |" for n in marks if math.isfinite(curve[n - 1])]
    if failed:
        lines += ["", "Failed candidates:", ""]
        lines += [f"- `{result.arch.to_string()}`: {result.reason}" for result in failed[:10]]

    lines += [
        "",
        "## Final training on DS1, test on DS2",
        "",
        "| rank | parameters | MACs per beat | search score | DS2 macro-F1 | DS2 F1 S | DS2 F1 V "
        "| seeds ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    ranks = sorted({run["rank"] for run in final.runs})
    for rank in ranks:
        runs = [run for run in final.runs if run["rank"] == rank]
        ok = [run for run in runs if run["status"] == "ok"]
        first = runs[0]
        lines.append(
            f"| {rank} | {first['parameters']:,} | {first['macs']:,} | {first['validation_metric']:.4f} "
            f"| {_mean_std([r['test'].get('macro_f1') for r in ok])} "
            f"| {_mean_std([r['test'].get('f1_S') for r in ok])} "
            f"| {_mean_std([r['test'].get('f1_V') for r in ok])} | {len(ok)}/{len(runs)} |"
        )
    if final.selected:
        test = final.selected["test"]
        lines += [
            "",
            f"### Selected model: rank 1, seed {final.selected['seed']}",
            "",
            f"Architecture `{final.selected['arch']}`; accuracy {test.get('accuracy', math.nan):.4f}, "
            f"macro-F1 {test.get('macro_f1', math.nan):.4f} on DS2. Saved in `{directory.model_dir}`.",
            "",
            *per_class_table(test),
            "",
            "Confusion matrix on DS2 (rows: reference, columns: predicted):",
            "",
            "| | " + " | ".join(AAMI_CLASSES) + " |",
            "| --- |" + " --- |" * len(AAMI_CLASSES),
        ]
        for name, row in zip(AAMI_CLASSES, final.selected["confusion"], strict=True):
            lines.append(f"| {name} | " + " | ".join(f"{int(v):,}" for v in row) + " |")
    directory.report.write_text("\n".join(lines) + "\n")
    return directory.report


LATER_CANDIDATES = {
    "dcl": "chosen by the predictor",
    "npenas": "chosen by the predictor",
    "rea": "bred by regularized evolution",
    "rs": "random as well",
}
"""Report wording of the way each method proposes the candidates after its random start."""


def sampling_line(config: EcgSearchConfig, history: History) -> str | None:
    """Return a report line with the search scores of the random start and of the later candidates.

    The start is the first ``evolution.initial`` candidates for ``dcl``, ``npenas`` and
    ``rs``, and the first population for ``rea``. The later candidates of ``rs`` are random
    too, so they show the spread that a method must beat. Each group gives the mean ±
    standard deviation of its successful candidates. Returns ``None`` until both groups
    contain a successful candidate.
    """
    start = config.population if config.method == "rea" else config.evolution.initial
    first, later = history.results[:start], history.results[start:]
    first_scores = [result.metric for result in first if result.ok]
    later_scores = [result.metric for result in later if result.ok]
    if not first_scores or not later_scores:
        return None
    return (
        f"- Search score, mean ± standard deviation: {_mean_std(first_scores)} over the first "
        f"{_count(len(first), 'candidate')} (random), {_mean_std(later_scores)} over the "
        f"{_count(len(later), 'later candidate')} ({LATER_CANDIDATES[config.method]})"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
