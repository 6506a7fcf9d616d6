"""Tests of the evaluation rows file and the report sections."""

from ecgnas.predictor.evaluation import EvaluationRow
from ecgnas.predictor.report import merge_rows, pretraining_gain, write_marked_section


def row(variant: str, seed: int, tau: float) -> EvaluationRow:
    return EvaluationRow("nb", variant, 50, seed, tau, tau, 0.5, 3, 1.0, 0.1)


def test_merge_replaces_same_key(tmp_path):
    path = tmp_path / "rows.csv"
    merge_rows(path, [row("a", 0, 0.1), row("a", 1, 0.2)])
    merged = merge_rows(path, [row("a", 1, 0.9), row("b", 0, 0.3)])
    assert len(merged) == 3
    assert {(r.variant, r.seed): r.kendall_tau for r in merged}[("a", 1)] == 0.9


def test_section_keeps_surrounding_text(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("intro\n<!-- begin s -->\nold\n<!-- end s -->\noutro\n")
    write_marked_section(path, "s", "new")
    assert path.read_text() == "intro\n<!-- begin s -->\nnew\n<!-- end s -->\noutro\n"


def test_gain_verdict_uses_spread():
    rows = [row("with", 0, 0.70), row("with", 1, 0.72), row("without", 0, 0.60), row("without", 1, 0.70)]
    table = pretraining_gain(rows, "with", "without")
    assert "| +0.060 | 0.050 | yes |" in table


def test_gain_pairs_seeds():
    rows = [row("with", 0, 0.70), row("with", 1, 0.72), row("without", 0, 0.60), row("without", 1, 0.70)]
    assert pretraining_gain(rows, "with", "without").endswith("| 0.060 ± 0.040 |")
