"""Baselines under the final-training protocol, and the comparison report."""

import json

import numpy as np
import pytest

from ecgnas.cli.main import main
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.compare import _hours, _targets
from ecgnas.pipelines.repeated_runs import check_distinct, label_repeats, repeated_run_lines, settings_key

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
    assert line.startswith(f"DS2 macro-F1 {100 * entry['test']['macro_f1']:.2f} over 1 seed ")
    assert f"V {100 * entry['test']['f1_V']:.1f}" in line


def test_baseline_run_layout(baseline_run):
    state = json.loads((baseline_run / "run.json").read_text())
    assert state["kind"] == "baseline"
    assert state["status"] == "finished"
    entry = json.loads((baseline_run / "final" / "rank1-seed0.json").read_text())
    assert entry["status"] == "ok"
    assert 0.0 < entry["test"]["macro_f1"] <= 1.0
    assert sum(map(sum, entry["confusion"])) > 49_000


def test_compare_writes_report_and_figures(baseline_run, tmp_path, capsys):
    report = tmp_path / "ecg_comparison.md"
    assert main(["compare", str(baseline_run), "--out", str(report)]) == 0
    assert f"and {tmp_path / 'ecg_comparison_confusion.png'}" in capsys.readouterr().out
    text = report.read_text()
    assert "| acharya2017 |" in text
    assert "Published inter-patient results (not rerun here)" in text
    assert (tmp_path / "ecg_comparison_confusion.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "ecg_comparison_f1.png").is_file()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(2124.0, "0.59"), (180.0, "0.050"), (194.4, "0.054"), (15.0, "0.0042"), (0.0, "0"), (36_000.0, "10.00")],
)
def test_hours_keep_small_costs_visible(seconds, text):
    assert _hours(seconds) == text


def test_compare_figures_named_after_report(baseline_run, tmp_path):
    assert main(["compare", str(baseline_run), "--out", str(tmp_path / "other.md")]) == 0
    assert (tmp_path / "other_f1.png").is_file()
    assert (tmp_path / "other_confusion.png").is_file()
    assert not (tmp_path / "ecg_comparison_f1.png").exists()
    assert "![F1 per class](other_f1.png)" in (tmp_path / "other.md").read_text()


def test_per_class_tables_pool_runs(baseline_run, tmp_path):
    import shutil

    # A second run of the same baseline with another seed, made by editing a copy.
    again = tmp_path / "acharya-s2"
    shutil.copytree(baseline_run, again)
    state = json.loads((again / "run.json").read_text())
    state["config"]["seed"] = 2
    (again / "run.json").write_text(json.dumps(state))
    entry = json.loads((again / "final" / "rank1-seed0.json").read_text())
    entry["test"]["f1_V"] = entry["test"]["f1_V"] / 2
    (again / "final" / "rank1-seed0.json").write_text(json.dumps(entry))

    report = tmp_path / "pooled.md"
    assert main(["compare", str(baseline_run), str(again), "--out", str(report)]) == 0
    text = report.read_text()
    per_class = text.split("## AAMI EC57 per-class metrics on DS2")[1].split("## Repeated runs")[0]

    # The overview keeps a row per run, and the per-class section has one table for both.
    assert "| acharya2017 (seed 1) |" in text
    assert "| acharya2017 (seed 2) |" in text
    assert per_class.count("### ") == 1
    assert "### acharya2017, mean of 2 runs" in per_class
    original = json.loads((baseline_run / "final" / "rank1-seed0.json").read_text())["test"]["f1_V"]
    assert "| V | " in per_class
    spread = np.std([original, original / 2], ddof=1)
    assert f"{75 * original:.2f} ± {100 * spread:.2f}" in per_class


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


def _search(method, seed, macro, score=0.6, settings="same"):
    metrics = {"macro_f1": [macro, macro + 0.02], "f1_S": [0.4, 0.4], "f1_V": [0.9, 0.9]}
    return {
        "name": f"searched ({method})",
        "path": f"runs/{method}-{seed}-{settings}",
        "kind": "search",
        "method": method,
        "run_seed": seed,
        "settings": settings,
        "search_score": score,
        "search_folds": None,
        "metrics": metrics,
        "confusion": np.eye(5),
    }


def _baseline(macro, seed=0):
    return {
        "name": "kachuee2018",
        "path": f"runs/kachuee-{seed}",
        "kind": "baseline",
        "method": None,
        "run_seed": seed,
        "settings": "same",
        "metrics": {"macro_f1": [macro]},
        "confusion": np.eye(5),
    }


def test_repeated_runs_named_by_seed():
    models = [
        _search("dcl", 0, 0.6),
        _search("dcl", 1, 0.6),
        _search("rs", 0, 0.6),
        _baseline(0.6, 0),
        _baseline(0.6, 1),
    ]
    label_repeats(models)
    names = [m["name"] for m in models]
    assert names[:3] == ["searched (dcl, seed 0)", "searched (dcl, seed 1)", "searched (rs)"]
    assert names[3:] == ["kachuee2018 (seed 0)", "kachuee2018 (seed 1)"]


def test_repeated_runs_summarised_over_runs():
    models = [_search("dcl", 0, 0.60), _search("dcl", 1, 0.64), _search("rs", 0, 0.50)]
    label_repeats(models)
    text = "\n".join(repeated_run_lines(models))

    # Run means 61 and 65: mean 63, sample standard deviation 2.83.
    row = "| searched (dcl) | 2 | 61.00, 65.00 | 63.00 ± 2.83 | 40.00 ± 0.00 | 90.00 ± 0.00 | 60.0, 60.0 |"
    assert row in text
    assert "| searched (rs) |" not in text


def test_repeated_baseline_not_searched():
    models = [_baseline(0.60, 0), _baseline(0.64, 1)]
    label_repeats(models)
    text = "\n".join(repeated_run_lines(models))
    assert "| kachuee2018 | 2 | 60.00, 64.00 | 62.00 ± 2.83 |" in text
    assert text.count("not searched") == 1
    assert [line for line in text.splitlines() if line.startswith("| kachuee2018")][0].endswith(
        "| not searched |"
    )


def test_single_runs_have_no_repeat_section():
    models = [_search("dcl", 0, 0.6), _baseline(0.6)]
    label_repeats(models)
    assert repeated_run_lines(models) == []


def test_runs_with_other_settings_pooled_apart():
    models = [
        _search("dcl", 0, 0.60),
        _search("dcl", 1, 0.64),
        _search("dcl", 2, 0.50, settings="larger budget"),
    ]
    label_repeats(models)
    names = [m["name"] for m in models]
    assert names == [
        "searched (dcl, seed 0, settings same)",
        "searched (dcl, seed 1, settings same)",
        "searched (dcl, seed 2, settings larger)",
    ]
    text = "\n".join(repeated_run_lines(models))
    assert "| searched (dcl), settings same | 2 | 61.00, 65.00 |" in text
    assert "Runs of searched (dcl) differ in settings other than the seed" in text


def test_same_seed_other_settings_named_apart():
    models = [_search("dcl", 0, 0.60), _search("dcl", 0, 0.64, settings="larger budget")]
    label_repeats(models)
    assert models[0]["name"] != models[1]["name"]
    assert models[0]["group"] != models[1]["group"]


def test_copied_run_rejected():
    models = [_search("dcl", 0, 0.60), {**_search("dcl", 0, 0.60), "path": "runs/copy"}]
    with pytest.raises(ConfigError, match="runs/dcl-0-same and runs/copy are both searched"):
        label_repeats(models)


def test_same_directory_twice_rejected(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "run")
    with pytest.raises(ConfigError, match="are the same run directory"):
        check_distinct([tmp_path / "run", tmp_path / "link"])
    check_distinct([tmp_path / "run", tmp_path / "other"])


def test_settings_key_ignores_seed_and_threads():
    config = {"seed": 0, "budget_seconds": 1800, "final_training": {"seed": 0, "max_threads": 1, "epochs": 6}}
    reseeded = {
        "seed": 2,
        "budget_seconds": 1800,
        "final_training": {"seed": 7, "max_threads": None, "epochs": 6},
    }
    longer = {**config, "final_training": {**config["final_training"], "epochs": 8}}
    assert settings_key(config) == settings_key(reseeded)
    assert settings_key(config) != settings_key(longer)


def test_settings_key_ignores_unset_later_fields():
    # A run from before size limits has no max_parameters key; a newer run without a limit has None.
    older = {"seed": 0, "budget_seconds": 1800}
    assert settings_key({**older, "max_parameters": None}) == settings_key(older)
    assert settings_key({**older, "max_parameters": 57349}) != settings_key(older)


def test_targets_pool_repeated_runs():
    models = [
        _search("dcl", 0, 0.60),
        _search("dcl", 1, 0.64),
        _search("rs", 0, 0.50),
        _search("rs", 1, 0.54),
        _baseline(0.58, 0),
        _baseline(0.62, 1),
    ]
    label_repeats(models)
    text = "\n".join(_targets(models))
    assert "- searched (dcl), mean of 2 runs: macro-F1 63.00 versus the best" in text
    assert "baseline kachuee2018, mean of 2 runs 60.00, margin +3.00 points (target ≥ +2.5): met" in text
    assert "macro-F1 +10.00 points versus random search (mean of 2 searches) in the same space" in text
    assert "seed 0" not in text


def test_targets_show_small_misses():
    metrics = {"macro_f1": [0.6], "f1_S": [0.5], "f1_V": [0.9199]}
    lines = _targets([{"name": "searched (dcl)", "kind": "search", "method": "dcl", "metrics": metrics}])
    assert "- searched (dcl): F1 V 91.99 (target ≥ 92): missed by 0.01 points" in lines


def test_confusion_figure_wraps_rows(tmp_path):
    import matplotlib.image

    from ecgnas.pipelines.compare import plot_confusions

    models = [{"name": f"model {index}", "confusion": np.eye(5) * 10} for index in range(5)]
    path = tmp_path / "confusion.png"
    plot_confusions(models, path)

    # Four square panels in the first row and one in the second make it twice as wide as high.
    # The tight bounding box trims a few margins.
    height, width = matplotlib.image.imread(path).shape[:2]
    assert 1.7 < width / height < 2.3
    assert width <= 4 * 4 * 110


def test_holdout_agreement_ranks_models():
    from ecgnas.pipelines.holdout_agreement import holdout_lines

    def model(name, holdout, test):
        return {"name": name, "holdout": [holdout], "metrics": {"macro_f1": [test]}}

    # Holdout order a > b > c, DS2 order c > b > a: a perfect inversion.
    models = [model("a", 0.70, 0.60), model("b", 0.65, 0.62), model("c", 0.60, 0.66)]
    text = "\n".join(holdout_lines(models))
    assert "| a | 70.00 | 60.00 |" in text
    assert "over these 3 models: -1.00" in text


def test_holdout_agreement_missing_scores():
    from ecgnas.pipelines.holdout_agreement import holdout_lines

    # Every run trained on all of DS1, so the section contains only the reason it is empty.
    trained_on_all = {"name": "a", "holdout": [], "final_epochs": "last", "metrics": {"macro_f1": [0.6]}}
    assert "Not shown: every run trained on all of DS1" in "\n".join(holdout_lines([trained_on_all]))
    unrecorded = {"name": "b", "holdout": [], "final_epochs": "holdout", "metrics": {"macro_f1": [0.6]}}
    assert holdout_lines([unrecorded]) == []

    recorded = {"name": "c", "holdout": [0.7], "final_epochs": "holdout", "metrics": {"macro_f1": [0.6]}}
    text = "\n".join(holdout_lines([trained_on_all, unrecorded, recorded]))
    assert "| a | n/a (trained on all of DS1) | 60.00 |" in text
    assert "| b | n/a (not recorded) | 60.00 |" in text
    assert "No rank correlation: it needs at least 3 models with both scores." in text


def test_compare_rejects_unfinished_status(baseline_run, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(baseline_run, copy)
    state = json.loads((copy / "run.json").read_text())
    (copy / "run.json").write_text(json.dumps({**state, "status": "training"}))
    assert main(["compare", str(copy), "--out", str(tmp_path / "r.md")]) == 1
    assert "has no finished final training (status 'training')" in capsys.readouterr().err


def test_compare_names_missing_final_files(baseline_run, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(baseline_run, copy)
    shutil.rmtree(copy / "final")
    assert main(["compare", str(copy), "--out", str(tmp_path / "r.md")]) == 1
    assert "is marked finished but lacks a successful final/rank1-seed*.json" in capsys.readouterr().err


def test_compare_rejects_file_as_run(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["compare", str(tmp_path / "afile"), "--out", str(tmp_path / "r.md")]) == 1
    assert "afile is a file, not a run directory" in capsys.readouterr().err


def test_compare_rejects_directory_as_out(tmp_path, capsys):
    (tmp_path / "reports").mkdir()
    (tmp_path / "run").mkdir()
    assert main(["compare", str(tmp_path / "run"), "--out", str(tmp_path / "reports")]) == 1
    assert "is a directory; give a file path such as" in capsys.readouterr().err


def test_protocol_text_groups_runs():
    from ecgnas.pipelines.compare import protocol_text

    models = [
        {"name": "a", "final_epochs": "holdout"},
        {"name": "b", "final_epochs": "last"},
        {"name": "c", "final_epochs": "holdout"},
    ]
    text = protocol_text(models)
    assert text.count("keeping the epoch with the best macro-F1") == 1
    assert "comparable: a, c trained on the search-train records" in text
    assert "; b trained on all DS1 records for a fixed number of epochs" in text
    assert protocol_text(models[:1]).startswith("Every model was trained on the search-train records")


def test_compare_rejects_corrupt_run_file(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.json").write_text("{not json")
    assert main(["compare", str(tmp_path / "run"), "--out", str(tmp_path / "r.md")]) == 1
    error = capsys.readouterr().err
    assert "run.json is corrupt" in error
    assert "run it again with another --run-dir" in error
