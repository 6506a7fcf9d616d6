"""The ECG search end to end on the real records: search, resume after a kill, export, predict."""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from mlflow import MlflowClient

from ecgnas.cli.main import main
from ecgnas.data.rr import RELATIVE_RR_FEATURES, RR_FEATURES
from ecgnas.data.splits import split_records
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import EcgSearchConfig, preset
from ecgnas.pipelines.ecg_evaluator import EcgEvaluator
from ecgnas.pipelines.ecg_search import config_from_dict, search_splits
from ecgnas.search.checkpoint import Checkpoint
from ecgnas.spaces.catalog import load_space
from ecgnas.training.config import TrainConfig
from tests.pipelines.smoke_search import SEARCH_ARGS, data_args


def checkpoint_results(run_dir):
    return json.loads((run_dir / "checkpoint.json").read_text())["results"]


def test_search_writes_report_and_model(finished_run):
    state = json.loads((finished_run / "run.json").read_text())
    assert state["status"] == "finished"
    assert (finished_run / "model" / "weights.pt").is_file()
    report = (finished_run / "report.md").read_text()
    assert "Candidates evaluated: 4" in report
    assert "DS2 macro-F1" in report
    assert "- RR features given to every model: `rr_previous_s`, `rr_next_s`," in report
    saved = json.loads((finished_run / "model" / "model.json").read_text())
    assert tuple(saved["rr_features"]) == RR_FEATURES


def test_final_epoch_chosen_on_holdout(finished_run):
    final = json.loads((finished_run / "final" / "rank1-seed0.json").read_text())
    assert final["best_epoch"] == 1
    assert 0 <= final["holdout_macro_f1"] <= 1
    assert final["test"]["macro_f1"] != final["holdout_macro_f1"]
    assert (
        "search-validation records (DS1 patients left out of training)"
        in (finished_run / "report.md").read_text()
    )


def test_final_epochs_value_checked():
    with pytest.raises(ConfigError, match="final_epochs 'best' is unknown.*'holdout', 'last'"):
        EcgSearchConfig(final_epochs="best")


def test_smoke_search_scores_on_record_folds(finished_run):
    results = [r for r in checkpoint_results(finished_run) if r["status"] == "ok"]
    assert results
    for result in results:
        folds = [result["info"]["fold1_macro_f1"], result["info"]["fold2_macro_f1"]]
        assert all(0 <= value <= 1 for value in folds)
        # The score pools both folds' predictions, so it lies near their mean, not at either end
        # unless the folds agree.
        assert result["metric"] == result["info"]["validation_macro_f1"]
        assert min(folds) - 0.1 <= result["metric"] <= max(folds) + 0.1
    assert "trained 2 times on 2 record folds of DS1" in (finished_run / "report.md").read_text()


def test_search_splits_never_hold_ds2(real_beats):
    ds2 = set(split_records("DS2"))
    for folds in (None, 3):
        splits = search_splits(real_beats, folds)
        assert len(splits) == (folds or 1)
        for train, validation in splits:
            assert not (set(train.record_names) | set(validation.record_names)) & ds2
            assert not set(train.record_names) & set(validation.record_names)


@pytest.mark.parametrize("folds", [1, 0, True, 2.5, 23])
def test_search_folds_value_checked(folds):
    message = r"search_folds must be None .* or an integer from 2 to 22 \(the DS1 records\)"
    with pytest.raises(ConfigError, match=message):
        EcgSearchConfig(search_folds=folds)


def test_fingerprint_unchanged_by_default_training_additions():
    # The fingerprint of the quick preset (then scoring on 3 folds, with every RR feature)
    # before the schedule, augmentation and RR-feature settings existed: its checkpoints
    # must still resume.
    config = dataclasses.replace(preset("quick"), search_folds=3)
    assert config.fingerprint() == "d923175c4d6aec5a"
    stored = config.to_dict()
    del stored["rr_features"]
    restored = config_from_dict(stored)
    assert restored.rr_features == RR_FEATURES
    assert restored.fingerprint() == "d923175c4d6aec5a"
    assert dataclasses.replace(config, rr_features=RELATIVE_RR_FEATURES).fingerprint() != "d923175c4d6aec5a"
    augmented = dataclasses.replace(
        config, final_training=dataclasses.replace(config.final_training, augment_noise=0.05)
    )
    assert augmented.fingerprint() != config.fingerprint()


def test_fingerprint_without_folds_unchanged_by_the_field():
    # Checkpoints written before record folds existed must still resume.
    data = EcgSearchConfig().to_dict()
    assert data["search_folds"] is None
    assert EcgSearchConfig().fingerprint() != EcgSearchConfig(search_folds=3).fingerprint()


def test_pooled_score_of_two_folds(real_beats, monkeypatch):
    # Every training run is charged one second, so the pooled cost shows that both folds count.
    monkeypatch.setattr("ecgnas.pipelines.ecg_evaluator.charged_seconds", lambda result: 1.0)
    space = load_space("ecg1d-tiny")
    records = split_records("search-train")
    splits = [
        (real_beats.select(records[:2]), real_beats.select(records[2:3])),
        (real_beats.select(records[2:4]), real_beats.select(records[:1])),
    ]
    config = TrainConfig(epochs=1, normal_fraction=0.05, batch_size=128, device="cpu")
    pooled = EcgEvaluator(space, splits, config).evaluate(space.sample(1))
    single = [EcgEvaluator(space, [split], config).evaluate(space.sample(1)) for split in splits]
    assert pooled.ok
    assert pooled.info["fold1_macro_f1"] == pytest.approx(single[0].metric)
    assert pooled.info["fold2_macro_f1"] == pytest.approx(single[1].metric)
    assert pooled.cost_seconds == 2.0
    assert pooled.info["train_beats"] == sum(result.info["train_beats"] for result in single)
    assert "fold2_train_loss" in pooled.info["epochs"][0]


@pytest.mark.parametrize("text", ["1", "three", "-2", "30"])
def test_search_folds_option_checked(text, capsys, tmp_path):
    run_dir = tmp_path / "run"
    assert main(["search", "--preset", "smoke", "--search-folds", text, "--run-dir", str(run_dir)]) == 1
    error = capsys.readouterr().err
    assert f"--search-folds {text!r} must be 'holdout' or an integer from 2 to 22" in error
    # A rejected option leaves no run directory behind that would block the corrected command.
    assert not run_dir.exists()


def test_search_respects_evaluation_limit(finished_run):
    assert len(checkpoint_results(finished_run)) == 4


def test_search_never_uses_ds2_for_selection(finished_run):
    state = json.loads((finished_run / "run.json").read_text())
    results = checkpoint_results(finished_run)
    best = max((r for r in results if r["status"] == "ok"), key=lambda r: r["metric"])
    model = json.loads((finished_run / "model" / "model.json").read_text())
    assert model["arch"] == best["arch"]
    assert state["config"]["space"] == "ecg1d-tiny"


def test_candidates_tracked_in_mlflow(finished_run):
    state = json.loads((finished_run / "run.json").read_text())
    client = MlflowClient(tracking_uri=state["tracking_uri"])
    experiment = client.get_experiment_by_name(state["mlflow_experiment"])
    children = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{state['mlflow_parent_run_id']}'",
    )
    assert len(children) == 4
    assert all("macs" in run.data.metrics for run in children)
    assert all("arch" in run.data.params for run in children)
    parent = client.get_run(state["mlflow_parent_run_id"])
    assert parent.data.tags["ecgnas.space_hash"] == state["space_hash"]
    assert parent.data.tags["ecgnas.data_checksum"] == state["data_checksum"]
    assert parent.info.status == "FINISHED"


def test_resume_after_kill_matches_uninterrupted(
    finished_run, tmp_path, mitdb_dir, session_cache_dir, monkeypatch
):
    run_dir = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "ecgnas.cli.main",
        *SEARCH_ARGS,
        "--run-dir",
        str(run_dir),
        *data_args(mitdb_dir, session_cache_dir),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = run_dir / "checkpoint.json"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if checkpoint.is_file() and len(checkpoint_results(run_dir)) >= 2:
            break
        time.sleep(0.5)
    assert process.poll() is None, "the search finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = len(checkpoint_results(run_dir))
    assert 2 <= killed_at < 4

    # The resumed search finds the data through run.json alone: no variable, no flag, no ./data.
    monkeypatch.delenv("ECGNAS_DATA_DIR")
    monkeypatch.chdir(tmp_path)

    def refuse(folder, files):
        raise AssertionError("a resumed search must not download the database")

    monkeypatch.setattr("ecgnas.data.download.fetch_files", refuse)
    status = main(["search", "--resume", str(run_dir)])
    assert status == 0
    resumed = checkpoint_results(run_dir)
    reference = checkpoint_results(finished_run)
    assert [r["arch"] for r in resumed] == [r["arch"] for r in reference]
    assert [r["metric"] for r in resumed] == [r["metric"] for r in reference]
    resumed_state = json.loads((run_dir / "run.json").read_text())
    client = MlflowClient(tracking_uri=resumed_state["tracking_uri"])
    experiment = client.get_experiment_by_name(resumed_state["mlflow_experiment"])
    parents = client.search_runs([experiment.experiment_id], filter_string="tags.ecgnas.method = 'dcl'")
    assert len(parents) == 1


def test_export_and_predict_ds2_record(finished_run, tmp_path, mitdb_dir, session_cache_dir, capsys):
    export_dir = tmp_path / "export"
    assert (
        main(
            ["export", str(finished_run), "--out", str(export_dir), *data_args(mitdb_dir, session_cache_dir)]
        )
        == 0
    )
    description = json.loads((export_dir / "ecgnas-model.json").read_text())
    assert description["parity"]["onnx_max_abs_diff"] <= 1e-4
    assert description["parity"]["torchscript_max_abs_diff"] <= 1e-4
    assert description["lead"] == "MLII"
    assert description["sampling_rate_hz"] == 360.0
    assert description["window"]["record_median_subtracted"] is True

    record = split_records("DS2")[0]
    out = tmp_path / "predictions"
    assert main(["predict", "--model", str(export_dir), str(mitdb_dir / record), "--out-dir", str(out)]) == 0
    lines = (out / f"{record}-beats.csv").read_text().splitlines()
    assert lines[0].startswith("sample,time_s,class,p_N")
    assert len(lines) > 2000
    assert (out / f"{record}.ecgnas").is_file()
    assert "Agreement with the reference annotations" in capsys.readouterr().out


def test_failing_candidate_recorded(real_beats):
    space = load_space("ecg1d-tiny")
    train = real_beats.select(split_records("search-train")[:2])
    validation = real_beats.select(split_records("search-validation")[:1])
    # A huge learning rate drives the loss to infinity within the first steps.
    evaluator = EcgEvaluator(
        space,
        [(train, validation)],
        TrainConfig(epochs=1, learning_rate=1e12, optimizer="sgd", normal_fraction=0.05),
    )
    result = evaluator.evaluate(space.sample(0))
    assert not result.ok
    assert "loss" in result.reason


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["search", "--resume", "/nonexistent/run"], "run directory /nonexistent/run not found"),
        (["search", "--preset", "smoke", "--budget", "0"], "budget '0' must be a positive duration"),
        (["search", "--preset", "smoke", "--budget", "ten minutes"], "is not a duration"),
        (["export", "/nonexistent/run"], "run directory /nonexistent/run not found"),
        (["search", "--preset", "smoke", "--budget=-5m"], "budget '-5m' must be a positive duration"),
        (["search", "--preset", "smoke", "--threads", "0"], "--threads is 0; use 1 or more CPU threads"),
        (["search", "--preset", "smoke", "--max-evals", "0"], "--max-evals is 0; use 1 or more candidates"),
        (["search", "--preset", "smoke", "--top-k", "0"], "--top-k is 0; use 1 or more architectures"),
        (["baseline", "acharya2017", "--threads", "-1"], "--threads is -1; use 1 or more CPU threads"),
        (["predict", "--model", "/nonexistent/export", "100"], "export folder /nonexistent/export not found"),
    ],
)
def test_bad_input_errors(arguments, message, capsys):
    assert main(arguments) == 1
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error


def test_export_of_unfinished_run(tmp_path, capsys):
    (tmp_path / "run.json").write_text(json.dumps({"status": "searching"}))
    assert main(["export", str(tmp_path)]) == 1
    assert "has no trained model yet (status 'searching')" in capsys.readouterr().err


def test_export_checks_run_before_data(tmp_path, capsys):
    missing = tmp_path / "no-such-run"
    empty_data = tmp_path / "no-data"
    assert main(["export", str(missing), "--data-dir", str(empty_data), "--no-download"]) == 1
    error = capsys.readouterr().err
    assert f"run directory {missing} not found" in error
    assert "MIT-BIH" not in error


def test_predict_record_without_lead(tmp_path, finished_run, mitdb_dir, session_cache_dir, capsys):
    export_dir = tmp_path / "export"
    main(["export", str(finished_run), "--out", str(export_dir), *data_args(mitdb_dir, session_cache_dir)])
    capsys.readouterr()
    assert (
        main(["predict", "--model", str(export_dir), str(mitdb_dir / "102"), "--out-dir", str(tmp_path)]) == 1
    )
    assert "record 102 has none of the requested leads ['MLII']" in capsys.readouterr().err


def test_existing_run_dir_rejected(finished_run, capsys):
    assert main(["search", "--preset", "smoke", "--run-dir", str(finished_run)]) == 1
    assert "already contains a search" in capsys.readouterr().err


def test_resumed_checkpoint_fingerprint_kept(finished_run):
    state = json.loads((finished_run / "run.json").read_text())
    from ecgnas.pipelines.ecg_search import config_from_dict

    config = config_from_dict(state["config"])
    assert Checkpoint(finished_run / "checkpoint.json", config.fingerprint()).load()


@pytest.mark.parametrize(
    "command", [["search", "--preset", "smoke"], ["baseline", "acharya2017", "--preset", "smoke"]]
)
def test_missing_data_leaves_no_run_dir(command, tmp_path, capsys):
    run_dir = tmp_path / "run"
    empty = tmp_path / "empty"
    (empty / "mitdb").mkdir(parents=True)
    arguments = [*command, "--run-dir", str(run_dir), "--data-dir", str(empty), "--no-download"]
    assert main(arguments) == 1
    assert "no MIT-BIH records" in capsys.readouterr().err
    assert not run_dir.exists()


def test_unknown_space_leaves_no_run_dir(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["search", "--preset", "smoke", "--space", "no-such-space", "--run-dir", str(run_dir)]) == 1
    assert "no-such-space" in capsys.readouterr().err
    assert not run_dir.exists()


def test_resume_of_baseline_run_rejected(tmp_path, capsys):
    (tmp_path / "run.json").write_text(json.dumps({"kind": "baseline", "status": "training"}))
    assert main(["search", "--resume", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert "contains a baseline run, which cannot be resumed" in error
    assert "Traceback" not in error


def test_baseline_into_baseline_run_dir_rejected(tmp_path, capsys):
    (tmp_path / "run.json").write_text(json.dumps({"kind": "baseline", "status": "finished"}))
    assert main(["baseline", "acharya2017", "--preset", "smoke", "--run-dir", str(tmp_path)]) == 1
    assert "already contains a baseline run; choose another --run-dir" in capsys.readouterr().err


def test_export_of_folder_without_run_file(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 1
    assert f"{tmp_path} is not a run directory: run.json is missing" in capsys.readouterr().err


def test_export_of_unfinished_baseline_names_baseline(tmp_path, capsys):
    (tmp_path / "run.json").write_text(json.dumps({"kind": "baseline", "status": "training"}))
    assert main(["export", str(tmp_path)]) == 1
    assert "train the baseline again with `ecgnas baseline`" in capsys.readouterr().err
