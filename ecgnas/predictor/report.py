"""Storing evaluation rows and writing the predictor report with its scatter plot.

Rows are kept in a CSV file so that several ``ecgnas predictor eval`` runs
(for example one per table) add up to one report: a new run replaces the
rows of the same table, variant, training size and seed.
"""

from __future__ import annotations

import csv
import dataclasses
import fcntl
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ecgnas.predictor.evaluation import EvaluationRow, Scatter

_FIELDS = [field.name for field in dataclasses.fields(EvaluationRow)]
_INTEGER_FIELDS = {"n_train", "seed", "best_true_rank"}
_TEXT_FIELDS = {"table", "variant"}


def merge_rows(path: Path, rows: Sequence[EvaluationRow]) -> list[EvaluationRow]:
    """Add ``rows`` to the CSV at ``path``, replacing rows with the same key, and return all rows.

    The file stays locked (``flock``) from reading to writing, so runs in
    parallel processes merge one at a time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", newline="") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        kept: dict[tuple[str, str, int, int], EvaluationRow] = {}
        for record in csv.DictReader(handle):
            row = EvaluationRow(**{name: _parse(name, record[name]) for name in _FIELDS})
            kept[(row.table, row.variant, row.n_train, row.seed)] = row
        for row in rows:
            kept[(row.table, row.variant, row.n_train, row.seed)] = row
        handle.seek(0)
        handle.truncate()
        writer = csv.DictWriter(handle, fieldnames=_FIELDS)
        writer.writeheader()
        for row in kept.values():
            writer.writerow(dataclasses.asdict(row))
    return list(kept.values())


def _parse(name: str, text: str) -> object:
    if name in _TEXT_FIELDS:
        return text
    if name in _INTEGER_FIELDS:
        return int(text)
    return float(text)


def _mean_std(values: Sequence[float], digits: int = 3) -> str:
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def results_tables(rows: Sequence[EvaluationRow]) -> str:
    """Format mean ± standard deviation over seeds, one Markdown table per benchmark table."""
    grouped: dict[str, dict[tuple[str, int], list[EvaluationRow]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row.table][(row.variant, row.n_train)].append(row)
    parts = []
    for table in sorted(grouped):
        parts.append(f"### {table}\n")
        parts.append(
            "| variant | N | seeds | Kendall τ | Spearman ρ | precision@5 % | true rank of predicted best "
            "| fit (s) |"
        )
        parts.append("|---|---:|---:|---|---|---|---|---:|")
        for (variant, n_train), group in sorted(
            grouped[table].items(), key=lambda item: (item[0][1], item[0][0])
        ):
            parts.append(
                f"| {variant} | {n_train} | {len(group)} "
                f"| {_mean_std([r.kendall_tau for r in group])} "
                f"| {_mean_std([r.spearman_rho for r in group])} "
                f"| {_mean_std([r.precision_top5 for r in group], 2)} "
                f"| {_mean_std([float(r.best_true_rank) for r in group], 1)} "
                f"| {np.mean([r.fit_seconds for r in group]):.2f} |"
            )
        parts.append("")
    return "\n".join(parts)


def pretraining_gain(rows: Sequence[EvaluationRow], with_pretraining: str, without: str) -> str:
    """Compare two variants at each table and N by Kendall τ.

    Two views of the same seeds: the difference of the means against the
    larger of the two seed spreads (unpaired), and the mean ± standard
    deviation of the per-seed differences (paired: both variants see the same
    labelled and test cells for a seed).
    """
    by_key: dict[tuple[str, str, int], dict[int, float]] = defaultdict(dict)
    for row in rows:
        by_key[(row.table, row.variant, row.n_train)][row.seed] = row.kendall_tau
    lines = [
        f"| table | N | τ {with_pretraining} | τ {without} | difference | larger std "
        "| beats by more than spread | paired difference |",
        "|---|---:|---|---|---:|---:|---|---|",
    ]
    for table, variant, n_train in sorted(by_key):
        if variant != with_pretraining or (table, without, n_train) not in by_key:
            continue
        first, second = by_key[(table, variant, n_train)], by_key[(table, without, n_train)]
        difference = float(np.mean(list(first.values())) - np.mean(list(second.values())))
        spread = float(max(np.std(list(first.values())), np.std(list(second.values()))))
        verdict = "yes" if difference > spread else "no"
        paired = [first[seed] - second[seed] for seed in sorted(set(first) & set(second))]
        lines.append(
            f"| {table} | {n_train} | {_mean_std(list(first.values()))} | {_mean_std(list(second.values()))} "
            f"| {difference:+.3f} | {spread:.3f} | {verdict} | {_mean_std(paired)} |"
        )
    return "\n".join(lines)


def write_report(results: Path, report: Path) -> Path:
    """Rebuild the ``predictor-eval`` section of ``report`` from every row in ``results``."""
    merged = merge_rows(results, [])
    commands_file = results.with_suffix(".commands")
    commands = commands_file.read_text().splitlines() if commands_file.is_file() else []
    body = "\n".join(
        [
            "## Results",
            "",
            f"Written by `ecgnas predictor eval` (or `ecgnas predictor report`) from `{results.name}`. "
            "Commands behind these rows:",
            "",
            "```",
            *commands,
            "```",
            "",
            "Mean ± standard deviation over seeds; the size of the held-out test sample is the "
            "`--n-test` of each command (default 3000), redrawn per seed.",
            "",
            results_tables(merged),
            "### Pre-training against no pre-training (Kendall τ)",
            "",
            pretraining_gain(merged, "dual-contrastive", "gnn-rank"),
            "",
        ]
    )
    return write_marked_section(report, "predictor-eval", body)


def plot_scatters(scatters: Sequence[Scatter], path: Path) -> Path:
    """Write one predicted-versus-true panel per scatter to a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(scatters), figsize=(4.2 * len(scatters), 4.0), squeeze=False)
    for axis, scatter in zip(axes[0], scatters, strict=True):
        axis.scatter(scatter.truth, scatter.scores, s=3, alpha=0.35)
        axis.set_xlabel("true validation accuracy (%)")
        axis.set_ylabel("predicted score")
        axis.set_title(
            f"{scatter.table}\n{scatter.variant}, N={scatter.n_train}, seed {scatter.seed}", fontsize=9
        )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def write_marked_section(path: Path, name: str, body: str) -> Path:
    """Replace the text between ``<!-- begin NAME -->`` and ``<!-- end NAME -->`` in ``path``, or append it.

    Hand-written text outside the markers survives every rerun.
    """
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    text = path.read_text() if path.is_file() else "# Predictor evaluation\n"
    section = f"{begin}\n{body.strip()}\n{end}"
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        text = head + section + tail
    else:
        text = f"{text.rstrip()}\n\n{section}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def record_command(path: Path, command: str) -> list[str]:
    """Add ``command`` to the list stored at ``path`` (one per line) unless present; return the list."""
    commands = path.read_text().splitlines() if path.is_file() else []
    if command not in commands:
        commands.append(command)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(commands) + "\n")
    return commands
