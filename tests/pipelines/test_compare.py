"""Baselines under the final-training protocol, and the comparison report."""

import json

import numpy as np
import pytest

from ecgnas.cli.main import main
from ecgnas.pipelines.compare import _hours, _targets
from ecgnas.pipelines.repeated_searches import label_repeats, repeated_search_lines

BASELINE_ARGS = ["baseline", "acharya2017", "--preset", "smoke", "--seed", "1"]


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory, mitdb_dir, session_cache_dir):
    run_dir = tmp_path_factory.mktemp("baseline") / "acharya"
    status = main(
        [
            *BASELINE_ARGS,
            "--run-dir",
            str(run_dir),
            "--data-dir",
            str(mitdb_dir.parent),
            "--cache-dir",
            str(session_cache_dir),
        ]
    )
    assert status == 0
    return run_dir


def test_baseline_summary_line(baseline_run):
    from ecgnas.pipelines.baseline import summarise_baseline

    entry = json.loads((baseline_run / "final" / "rank1-seed0.json").read_text())
    line = summarise_baseline(baseline_run)
    assert line.startswith(f"DS2 macro-F1 {100 * entry['test']['macro_f1']:.2f} ± 0.00 over 1 seed ")
    assert f"V {100 * entry['test']['f1_V']:.1f}" in line


def test_baseline_run_layout(baseline_run):
    state = json.loads((baseline_run / "run.json").read_text())
    assert state["kind"] == "baseline"
    assert state["status"] == "finished"
    entry = json.loads((baseline_run / "final" / "rank1-seed0.json").read_text())
    assert entry["status"] == "ok"
    assert 0.0 < entry["test"]["macro_f1"] <= 1.0
    assert sum(map(sum, entry["confusion"])) > 49_000


def test_compare_writes_report_and_figures(baseline_run, tmp_path):
    report = tmp_path / "ecg_comparison.md"
    assert main(["compare", str(baseline_run), "--out", str(report)]) == 0
    text = report.read_text()
    assert "| acharya2017 |" in text
    assert "Published inter-patient results (not rerun here)" in text
    assert (tmp_path / "ecg_comparison_confusion.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "ecg_comparison_f1.png").is_file()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(2124.0, "0.59"), (180.0, "0.05"), (15.0, "0.0042"), (0.0, "0"), (36_000.0, "10.00")],
)
def test_hours_keep_small_costs_visible(seconds, text):
    assert _hours(seconds) == text


def test_compare_figures_named_after_report(baseline_run, tmp_path):
    assert main(["compare", str(baseline_run), "--out", str(tmp_path / "other.md")]) == 0
    assert (tmp_path / "other_f1.png").is_file()
    assert (tmp_path / "other_confusion.png").is_file()
    assert not (tmp_path / "ecg_comparison_f1.png").exists()
    assert "![F1 per class](other_f1.png)" in (tmp_path / "other.md").read_text()


def test_compare_unfinished_run_rejected(tmp_path, capsys):
    (tmp_path / "run.json").write_text(json.dumps({"status": "searching"}))
    assert main(["compare", str(tmp_path), "--out", str(tmp_path / "r.md")]) == 1
    assert "has no finished final training (status 'searching')" in capsys.readouterr().err


def test_unknown_baseline_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["baseline", "resnet9000"])
    assert "invalid choice: 'resnet9000'" in capsys.readouterr().err


def test_targets_against_random_search():
    def model(name, kind, macro, method=None):
        metrics = {"macro_f1": [macro], "f1_S": [0.5], "f1_V": [0.9]}
        return {"name": name, "kind": kind, "method": method, "metrics": metrics}

    lines = _targets(
        [
            model("searched (dcl)", "search", 0.60, "dcl"),
            model("searched (rs), augmented", "search", 0.55, "rs"),
            model("kachuee2018", "baseline", 0.50),
        ]
    )
    text = "\n".join(lines)
    assert "- searched (dcl): macro-F1 +5.00 points versus random search in the same space" in text
    assert "margin +10.00 points (target ≥ +2.5): met" in lines[2]


def _search(method, seed, macro, score=0.6):
    metrics = {"macro_f1": [macro, macro + 0.02], "f1_S": [0.4, 0.4], "f1_V": [0.9, 0.9]}
    return {
        "name": f"searched ({method})",
        "kind": "search",
        "method": method,
        "search_seed": seed,
        "search_score": score,
        "metrics": metrics,
    }


def test_repeated_searches_named_by_seed():
    models = [_search("dcl", 0, 0.6), _search("dcl", 1, 0.6), _search("rs", 0, 0.6)]
    label_repeats(models)
    assert [m["name"] for m in models] == [
        "searched (dcl, seed 0)",
        "searched (dcl, seed 1)",
        "searched (rs)",
    ]


def test_repeated_searches_summarised_over_searches():
    models = [_search("dcl", 0, 0.60), _search("dcl", 1, 0.64), _search("rs", 0, 0.50)]
    label_repeats(models)
    text = "\n".join(repeated_search_lines(models))

    # Pick means 61 and 65: mean 63, sample standard deviation 2.83.
    assert "| dcl | 2 | 61.00, 65.00 | 63.00 ± 2.83 | 40.00 ± 0.00 | 90.00 ± 0.00 | 0.600, 0.600 |" in text
    assert "| rs |" not in text
    assert repeated_search_lines([_search("dcl", 0, 0.6)]) == []


def test_targets_pool_repeated_searches():
    def baseline(macro):
        return {"name": "kachuee2018", "kind": "baseline", "method": None, "metrics": {"macro_f1": [macro]}}

    models = [
        _search("dcl", 0, 0.60),
        _search("dcl", 1, 0.64),
        _search("rs", 0, 0.50),
        _search("rs", 1, 0.54),
        baseline(0.60),
    ]
    label_repeats(models)
    text = "\n".join(_targets(models))
    assert "- searched (dcl), mean of 2 searches: macro-F1 63.00 versus the best" in text
    assert "margin +3.00 points (target ≥ +2.5): met" in text
    assert "macro-F1 +10.00 points versus random search (mean of 2 searches) in the same space" in text
    assert "seed 0" not in text


def test_confusion_figure_wraps_rows(tmp_path):
    import matplotlib.image

    from ecgnas.pipelines.compare import plot_confusions

    models = [{"name": f"model {index}", "confusion": np.eye(5) * 10} for index in range(5)]
    path = tmp_path / "confusion.png"
    plot_confusions(models, path)

    # Four panels of 4 x 4 inches in the first row, one in the second, at 110 dots per inch.
    height, width = matplotlib.image.imread(path).shape[:2]
    assert width == 4 * 4 * 110
    assert height == 2 * 4 * 110


def test_holdout_agreement_ranks_models():
    from ecgnas.pipelines.holdout_agreement import holdout_lines

    def model(name, holdout, test):
        return {"name": name, "holdout": [holdout], "metrics": {"macro_f1": [test]}}

    # Holdout order a > b > c, DS2 order c > b > a: a perfect inversion.
    models = [model("a", 0.70, 0.60), model("b", 0.65, 0.62), model("c", 0.60, 0.66)]
    text = "\n".join(holdout_lines(models))
    assert "| a | 70.00 | 60.00 |" in text
    assert "over these 3 models: -1.00" in text


def test_holdout_agreement_needs_holdout_runs():
    from ecgnas.pipelines.holdout_agreement import holdout_lines

    trained_on_all = {"name": "a", "holdout": [], "metrics": {"macro_f1": [0.6]}}
    assert holdout_lines([trained_on_all]) == []
