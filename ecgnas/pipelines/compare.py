"""``reports/ecg_comparison.md``: searched and hand-designed models on DS2, side by side.

Every figure comes from the run directories passed in (their final training runs
on DS1, tested on DS2) or is measured here (CPU latency). Published inter-patient
results are listed apart and marked as not rerun.
"""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.rr import RELATIVE_RR_FEATURES, RR_FEATURES
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import FINAL_EPOCHS_TEXT
from ecgnas.pipelines.ecg_search import config_from_dict
from ecgnas.pipelines.holdout_agreement import holdout_lines
from ecgnas.pipelines.repeated_runs import (
    check_distinct,
    label_repeats,
    pooled_models,
    repeated_run_lines,
    settings_key,
)
from ecgnas.pipelines.report_numbers import finite_mean, mean_sd_cell, sample_sd
from ecgnas.pipelines.run_dir import RunDirectory
from ecgnas.pipelines.saved_model import load_model
from ecgnas.pipelines.size_limit import describe_limit

logger = logging.getLogger(__name__)

# Published inter-patient (de Chazal DS1/DS2) F1 scores in %, not rerun here.
PUBLISHED = [
    ("Niu et al. 2020, symbolic-representation CNN, Artif. Intell. Med.", {"S": 76.6, "V": 89.7}),
    ("Guo et al. 2019, dense CNN with RR features, IEEE Access", {"S": 61.25, "V": 89.75}),
]
TARGET_MARGIN = 0.025
TARGET_F1 = {"S": 0.78, "V": 0.92}


def measure_latency(model: torch.nn.Module, window: int, n_rr: int, repeats: int = 200) -> float:
    """Return the median CPU latency in milliseconds of classifying one beat (batch of 1, one thread)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        waveform, rr = torch.randn(1, 1, window), torch.randn(1, n_rr)
        times = []
        with torch.no_grad():
            for _ in range(10):
                model(waveform, rr)
            for _ in range(repeats):
                start = time.perf_counter()
                model(waveform, rr)
                times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    return float(np.median(times) * 1000)


def summarise_run(path: Path) -> dict[str, Any]:
    """Collect the DS2 results of a run's selected architecture over its seeds."""
    directory = RunDirectory(path)
    state = directory.read()
    runs = [json.loads(p.read_text()) for p in sorted(directory.final_dir.glob("rank1-seed*.json"))]
    saved_json = (directory.model_dir / "model.json").is_file()
    ok = [run for run in runs if run["status"] == "ok"]
    if state.get("status") != "finished":
        raise ConfigError(
            f"run {path} has no finished final training (status {state.get('status', 'unknown')!r}); "
            f"{directory.finish_hint(state)} before comparing"
        )
    missing = []
    if not ok:
        missing.append("a successful final/rank1-seed*.json")
    if not saved_json:
        missing.append("model/model.json")
    if missing:
        raise ConfigError(
            f"run {path} is marked finished but lacks {' and '.join(missing)}; "
            f"{directory.finish_hint(state)} before comparing"
        )
    saved = load_model(directory.model_dir)
    description = saved.description
    kind = state.get("kind", "search")
    config = state.get("config", {})
    method = config.get("method", "?")
    name = state["baseline"] if kind == "baseline" else f"searched ({method})"
    # The name marks perturbed training beats and softened class weights, because the same
    # model may be listed without them.
    final_training = config_from_dict(config).final_training if config else None
    if final_training is not None and final_training.augments:
        name += ", augmented"
    if final_training is not None and final_training.class_weight_power != 1:
        name += f", class-weight power {final_training.class_weight_power:g}"
    limit = describe_limit(config.get("max_parameters"), config.get("max_macs"))
    if limit:
        name += f", {limit}"
    rr_features = tuple(description["rr_features"])
    name += rr_suffix(rr_features)
    cost = state.get("search_cost_seconds", 0.0) + sum(run["cost_seconds"] for run in runs)
    return {
        "name": name,
        "path": str(path),
        "kind": kind,
        "method": method if kind == "search" else None,
        "run_seed": config.get("seed"),
        "settings": settings_key(config),
        "search_folds": config.get("search_folds"),
        "rr_features": rr_features,
        "search_score": ok[0].get("validation_metric") if kind == "search" else None,
        # Runs written before the choice existed trained on all of DS1 and kept the last epoch.
        "final_epochs": config.get("final_epochs", "last"),
        "command": state.get("command", ""),
        "unit": state.get("cost_unit", "core-hours"),
        "search_seconds": state.get("search_cost_seconds", 0.0),
        "total_seconds": cost,
        "parameters": ok[0]["parameters"],
        "macs": ok[0]["macs"],
        "arch": ok[0]["arch"],
        "seeds": len(ok),
        # Best macro-F1 on the search-validation records, empty when final training used all of DS1.
        "holdout": [run["holdout_macro_f1"] for run in ok if run.get("holdout_macro_f1") is not None],
        "metrics": {key: [run["test"].get(key, math.nan) for run in ok] for key in ok[0]["test"]},
        "confusion": np.sum([run["confusion"] for run in ok], axis=0) / len(ok),
        "latency_ms": measure_latency(
            saved.model, description["window_samples"], len(description["rr_features"])
        ),
    }


def _hours(seconds: float) -> str:
    """Format ``seconds`` in hours: two decimals, or two significant digits below 0.1 h."""
    hours = seconds / 3600
    if hours >= 0.1:
        return f"{hours:.2f}"
    if hours == 0:
        return "0"
    # The "#" flag keeps a trailing zero, so that 0.050 and 0.054 show the same precision.
    return f"{hours:#.2g}"


def plot_confusions(models: list[dict[str, Any]], path: Path) -> None:
    """Draw the row-normalised DS2 confusion matrix of every model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Rows of at most four panels keep the figure readable when many runs are compared.
    columns = min(len(models), 4)
    rows = math.ceil(len(models) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 4 * rows), squeeze=False)
    for axis in axes.flat[len(models) :]:
        axis.set_axis_off()
    for axis, model in zip(axes.flat, models, strict=False):
        confusion = np.asarray(model["confusion"], dtype=float)
        rates = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
        axis.imshow(rates, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(AAMI_CLASSES)):
            for j in range(len(AAMI_CLASSES)):
                axis.text(
                    j,
                    i,
                    f"{rates[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if rates[i, j] > 0.5 else "black",
                )
        axis.set_xticks(range(len(AAMI_CLASSES)), AAMI_CLASSES)
        axis.set_yticks(range(len(AAMI_CLASSES)), AAMI_CLASSES)
        axis.set_xlabel("predicted")
        axis.set_ylabel("reference")
        axis.set_title(model["name"], fontsize=10)
    figure.tight_layout()
    # A tight bounding box keeps the panel titles inside the image when there is one row.
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)


def plot_f1(models: list[dict[str, Any]], path: Path) -> None:
    """Draw each model's DS2 F1 per class as grouped bars with standard-deviation whiskers.

    A model run several times (see :func:`~ecgnas.pipelines.repeated_runs.pooled`) has one
    value per run, so its whisker spans runs. The whisker of a single run spans its training seeds.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classes = ("N", "S", "V", "F")
    figure, axis = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(models)
    for index, model in enumerate(models):
        samples = [100 * np.asarray(model["metrics"].get(f"f1_{name}", [math.nan])) for name in classes]
        values = [finite_mean(list(sample)) for sample in samples]
        spreads = [sample_sd(sample) for sample in samples]
        positions = np.arange(len(classes)) + index * width
        axis.bar(positions, values, width, yerr=spreads, capsize=2, label=model["name"])
    axis.set_xticks(np.arange(len(classes)) + width * (len(models) - 1) / 2, classes)
    # Percent, as in the report's tables.
    axis.set_ylabel("F1 on DS2 (%)")
    axis.set_ylim(0, 100)
    # Beside the bars, so that a long list of models hides none of them.
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_comparison(run_dirs: list[Path], report: Path, command: str) -> Path:
    """Write the comparison report and its figures next to it, named after the report.

    ``reports/ecg_comparison.md`` gets ``ecg_comparison_f1.png`` and
    ``ecg_comparison_confusion.png``, so two reports in one folder keep their own figures.
    """
    if not run_dirs:
        raise ConfigError("compare needs at least one run directory")
    if report.is_dir():
        raise ConfigError(
            f"--out {report} is a directory; give a file path such as {report / 'comparison.md'}"
        )
    check_distinct(run_dirs)
    models = [summarise_run(Path(path)) for path in run_dirs]
    label_repeats(models)
    # The overview keeps a row per run, and the per-class tables and figures show each model once.
    groups = pooled_models(models)
    if report.exists():
        logger.info("Replacing %s and its figures", report)
    figures = report.parent
    figures.mkdir(parents=True, exist_ok=True)
    confusion_png, f1_png = figures / f"{report.stem}_confusion.png", figures / f"{report.stem}_f1.png"
    plot_confusions(groups, confusion_png)
    plot_f1(groups, f1_png)

    protocol = protocol_text(models) + rr_text(models)
    lines = [
        "# Searched versus hand-designed arrhythmia classifiers",
        "",
        f"Produced by `{command}`. {protocol} Every model was tested on the DS2 records of the "
        "inter-patient protocol (de Chazal et al. 2004), paced records excluded; values are mean ± "
        "standard deviation over training seeds, in percent. Latency: median time to classify one beat "
        "(batch 1, one CPU thread) on the machine that ran the command.",
        "",
        "Runs compared, with the commands that produced them:",
        "",
    ]
    lines += [f"- {m['name']}: `{m['command']}` (`{m['path']}`)" for m in models]
    lines += [
        "",
        "## Overview",
        "",
        "| model | parameters | MACs per beat | latency (ms) | accuracy | macro-F1 (N,S,V,F) | F1 S | F1 V "
        "| seeds | compute used |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in models:
        compute = f"{_hours(m['total_seconds'])} {m['unit']}"
        if m["search_seconds"]:
            compute += f" ({_hours(m['search_seconds'])} for the search)"
        scores = " | ".join(
            mean_sd_cell(m["metrics"].get(key, [])) for key in ("accuracy", "macro_f1", "f1_S", "f1_V")
        )
        lines.append(
            f"| {m['name']} | {m['parameters']:,} | {m['macs']:,} | {m['latency_ms']:.2f} "
            f"| {scores} | {m['seeds']} | {compute} |"
        )
    lines += ["", f"![F1 per class]({f1_png.name})", "", "## AAMI EC57 per-class metrics on DS2", ""]
    if any(m.get("runs", 1) > 1 for m in groups):
        lines += [
            "A model run several times has one table: the mean ± standard deviation over its runs "
            "of each run's mean over training seeds. Its confusion matrix is the mean of its runs'. "
            "The F1 figure shows the same means, with whiskers of one standard deviation.",
            "",
        ]
    for m in groups:
        lines += [f"### {m['name']}", "", "| class | Se | +P | F1 | FPR |", "| --- | --- | --- | --- | --- |"]
        for name in AAMI_CLASSES:
            cells = [
                mean_sd_cell(m["metrics"].get(f"{key}_{name}", []))
                for key in ("sensitivity", "positive_predictivity", "f1", "false_positive_rate")
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [f"![confusion matrices]({confusion_png.name})", ""]
    lines += repeated_run_lines(models)
    lines += holdout_lines(models)
    lines += ["## Targets", ""]
    lines += _targets(models)
    lines += [
        "",
        "## Published inter-patient results (not rerun here)",
        "",
        "F1 in percent on DS2 as reported by the authors; their preprocessing, lead use and training "
        "differ from ours, so they are context, not a controlled comparison.",
        "",
        "| source | F1 S | F1 V |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {source} | {f1['S']:.2f} | {f1['V']:.2f} |" for source, f1 in PUBLISHED]
    report.write_text("\n".join(lines) + "\n")
    return report


def _targets(models: list[dict[str, Any]]) -> list[str]:
    groups = pooled_models(models)
    searched = [m for m in groups if m["kind"] != "baseline"]
    baselines = [m for m in groups if m["kind"] == "baseline"]
    lines = []
    for m in searched:
        macro = finite_mean(m["metrics"].get("macro_f1", []))
        for name, target in TARGET_F1.items():
            value = finite_mean(m["metrics"].get(f"f1_{name}", []))
            verdict = "met" if value >= target else f"missed by {100 * (target - value):.2f} points"
            lines.append(
                f"- {m['name']}: F1 {name} {100 * value:.2f} (target ≥ {100 * target:.0f}): {verdict}"
            )
        if baselines:
            best = max(baselines, key=lambda b: finite_mean(b["metrics"].get("macro_f1", [])))
            margin = macro - finite_mean(best["metrics"].get("macro_f1", []))
            verdict = (
                "met" if margin >= TARGET_MARGIN else f"missed by {100 * (TARGET_MARGIN - margin):.2f} points"
            )
            lines.append(
                f"- {m['name']}: macro-F1 {100 * macro:.2f} versus the best hand-designed baseline "
                f"{best['name']} {100 * (macro - margin):.2f}, margin {100 * margin:+.2f} points "
                f"(target ≥ +{100 * TARGET_MARGIN:.1f}): {verdict}"
            )
        random = [r for r in searched if r["method"] == "rs" and r is not m]
        if random:
            gap = macro - finite_mean(random[0]["metrics"].get("macro_f1", []))
            repeats = random[0].get("runs", 1)
            versus = "random search" + (f" (mean of {repeats} searches)" if repeats > 1 else "")
            lines.append(
                f"- {m['name']}: macro-F1 {100 * gap:+.2f} points versus {versus} in the same space "
                "(no target; the search method's own baseline)"
            )
    return lines or ["- No searched model in this comparison."]


def rr_suffix(rr_features: tuple[str, ...]) -> str:
    """Return the suffix that marks a model name whose RR features are not the default, all nine."""
    if rr_features == RR_FEATURES:
        return ""
    if rr_features == RELATIVE_RR_FEATURES:
        return ", RR ratios"
    return f", RR features {','.join(rr_features)}"


def rr_text(models: list[dict[str, Any]]) -> str:
    """Return a sentence naming the RR features of the models, or saying that they differ."""
    choices = {m["rr_features"] for m in models}
    if len(choices) > 1:
        return (
            " The models were given different RR features: names without an RR mark had all nine, "
            '"RR ratios" marks the five ratios (`--rr-features relative`).'
        )
    (features,) = choices
    return f" Every model was given the RR features {', '.join(f'`{name}`' for name in features)}."


def protocol_text(models: list[dict[str, Any]]) -> str:
    """Describe the final-training protocol of the runs, grouped by protocol when they differ."""
    protocols = sorted({m["final_epochs"] for m in models})
    if len(protocols) == 1:
        return f"Every model was trained {FINAL_EPOCHS_TEXT[protocols[0]]}."
    by_protocol = {
        choice: ", ".join(m["name"] for m in models if m["final_epochs"] == choice) for choice in protocols
    }
    return (
        "The runs used different final-training protocols, so their scores are not directly comparable: "
        + "; ".join(f"{names} trained {FINAL_EPOCHS_TEXT[choice]}" for choice, names in by_protocol.items())
        + "."
    )
