"""``ecgnas retrain`` on a finished smoke search of the real records."""

import json
import logging
import shutil

import pytest
from mlflow import MlflowClient

from ecgnas.cli.main import main
from ecgnas.data.rr import RELATIVE_RR_FEATURES
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.compare import summarise_run
from ecgnas.pipelines.ecg_search import config_from_dict
from ecgnas.pipelines.retrain import retrain_search
from ecgnas.search.checkpoint import Checkpoint
from tests.pipelines.smoke_search import data_args


def retrain_args(source):
    return [
        "retrain",
        str(source),
        "--final-epochs",
        "average",
        "--final-seeds",
        "2",
        "--class-weight-power",
        "0.5",
    ]


def read_json(path):
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def retrained(finished_run, tmp_path_factory, mitdb_dir, session_cache_dir):
    source_final = read_json(finished_run / "final" / "rank1-seed0.json")
    run_dir = tmp_path_factory.mktemp("retrain") / "averaged"
    status = main(
        [*retrain_args(finished_run), "--run-dir", str(run_dir), *data_args(mitdb_dir, session_cache_dir)]
    )
    assert status == 0
    return run_dir, source_final


def test_retrain_writes_a_finished_run(retrained, finished_run):
    run_dir, _ = retrained
    state = read_json(run_dir / "run.json")
    assert state["status"] == "finished"
    assert state["retrained_from"] == str(finished_run.resolve())
    assert state["config"]["final_epochs"] == "average"
    assert state["config"]["final_seeds"] == 2
    # The search phase is the source's: same candidates, same cost, same space.
    source = read_json(finished_run / "run.json")
    assert state["search_cost_seconds"] == source["search_cost_seconds"]
    assert state["space_hash"] == source["space_hash"]
    # The final training keeps the source's settings except those the options change.
    assert state["config"]["final_training"]["class_weight_power"] == 0.5
    assert state["config"]["final_training"]["epochs"] == source["config"]["final_training"]["epochs"]
    assert " && retrain_search(" in state["command"]
    assert sorted(p.name for p in (run_dir / "final").glob("*.json")) == [
        "rank1-seed0.json",
        "rank1-seed1.json",
    ]
    assert (run_dir / "model" / "weights.pt").is_file()
    report = (run_dir / "report.md").read_text()
    assert "stochastic weight averaging" in report
    assert "class balance `weights` with class-weight power 0.5" in report
    source_path = finished_run.resolve()
    retrained_line = (
        f"- Retrained: `ecgnas retrain` repeated the final training of the search in `{source_path}`"
    )
    assert retrained_line in report
    assert f"- Budget spent: {source['search_cost_seconds'] / 3600:.3f} core-hours" in report


def test_retrain_keeps_candidates_under_new_fingerprint(retrained, finished_run):
    run_dir, _ = retrained
    config = config_from_dict(read_json(run_dir / "run.json")["config"])
    results = Checkpoint(run_dir / "checkpoint.json", config.fingerprint()).load()
    source = read_json(finished_run / "checkpoint.json")["results"]
    assert [result.to_dict() for result in results] == source


def test_retrain_leaves_source_unchanged(retrained, finished_run):
    _, source_final = retrained
    assert read_json(finished_run / "final" / "rank1-seed0.json") == source_final
    assert read_json(finished_run / "run.json")["config"]["final_epochs"] == "holdout"


def test_retrained_run_is_compared_beside_its_source(retrained, finished_run):
    run_dir, _ = retrained
    source, averaged = summarise_run(finished_run), summarise_run(run_dir)
    assert (source["final_epochs"], averaged["final_epochs"]) == ("holdout", "average")
    assert averaged["arch"] == source["arch"]
    assert averaged["name"] == "searched (dcl), class-weight power 0.5"
    assert averaged["seeds"] == 2
    # Its compute counts the source's search, which the model needed.
    assert averaged["total_seconds"] > averaged["search_seconds"] == source["search_seconds"]


def test_retrain_has_its_own_mlflow_run(retrained, finished_run):
    run_dir, _ = retrained
    state = read_json(run_dir / "run.json")
    client = MlflowClient(state["tracking_uri"])
    run = client.get_run(state["mlflow_parent_run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.tags["ecgnas.retrained_from"] == str(finished_run.resolve())
    assert "ds2_macro_f1" in run.data.metrics
    assert state["mlflow_parent_run_id"] != read_json(finished_run / "run.json")["mlflow_parent_run_id"]


def mark_interrupted(run_dir):
    state = read_json(run_dir / "run.json")
    (run_dir / "run.json").write_text(json.dumps({**state, "status": "interrupted"}))


def test_interrupted_retrain_continues(retrained, finished_run, mitdb_dir, session_cache_dir, caplog):
    run_dir, _ = retrained
    mark_interrupted(run_dir)
    before = read_json(run_dir / "final" / "rank1-seed1.json")

    # Another thread count changes how fast the runs train, not what they find.
    args = [*retrain_args(finished_run), "--threads", "2", "--run-dir", str(run_dir)]
    with caplog.at_level(logging.INFO):
        status = main([*args, *data_args(mitdb_dir, session_cache_dir)])
    assert status == 0
    assert "Continuing the unfinished retraining" in caplog.text
    assert "Final training rank1-seed1 already done; reusing it" in caplog.text
    assert read_json(run_dir / "final" / "rank1-seed1.json") == before
    state = read_json(run_dir / "run.json")
    assert state["status"] == "finished"
    assert state["config"]["final_training"]["max_threads"] == 2


def test_continue_with_other_settings_rejected(retrained, finished_run, capsys):
    run_dir, _ = retrained
    mark_interrupted(run_dir)
    args = [
        "retrain",
        str(finished_run),
        "--final-epochs",
        "last",
        "--final-seeds",
        "2",
        "--run-dir",
        str(run_dir),
    ]
    assert main(args) != 0
    error = capsys.readouterr().err
    assert "contains an unfinished retraining" in error
    assert "(final_epochs, final_training.class_weight_power)" in error

    state = read_json(run_dir / "run.json")
    (run_dir / "run.json").write_text(json.dumps({**state, "status": "finished"}))


def test_search_resume_of_a_retraining_points_to_retrain(retrained, capsys):
    run_dir, _ = retrained
    assert main(["search", "--resume", str(run_dir)]) != 0
    assert "contains a retraining, not a search; finish it with `ecgnas retrain" in capsys.readouterr().err


def test_retrain_into_finished_retraining_rejected(retrained, finished_run, capsys):
    run_dir, _ = retrained
    assert main([*retrain_args(finished_run), "--run-dir", str(run_dir)]) != 0
    assert "already contains a finished retraining" in capsys.readouterr().err


def test_retrain_into_source_rejected(finished_run, capsys):
    assert main(["retrain", str(finished_run), "--run-dir", str(finished_run)]) != 0
    assert "is the source run; retraining writes a new run directory" in capsys.readouterr().err


def test_retrain_into_other_run_rejected(finished_run, tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    (other / "run.json").write_text(json.dumps({"kind": "baseline", "status": "finished"}))
    assert main(["retrain", str(finished_run), "--run-dir", str(other)]) != 0
    assert "already contains another run" in capsys.readouterr().err


def test_retrain_of_an_unfinished_search_rejected(finished_run, tmp_path, capsys):
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    state = read_json(finished_run / "run.json")
    (unfinished / "run.json").write_text(json.dumps({**state, "status": "searching"}))
    assert main(["retrain", str(unfinished), "--final-epochs", "last"]) != 0
    error = capsys.readouterr().err
    assert "has not finished its candidates (status 'searching')" in error
    assert f"ecgnas search --resume {unfinished}" in error


def test_retrain_of_a_missing_folder_rejected(tmp_path, capsys):
    assert main(["retrain", str(tmp_path / "nothing"), "--final-epochs", "last"]) != 0
    assert "not found; check the path" in capsys.readouterr().err


def test_retrain_zero_seeds_rejected(finished_run, capsys):
    assert main(["retrain", str(finished_run), "--final-seeds", "0"]) != 0
    assert "--final-seeds is 0; use 1 or more seeds" in capsys.readouterr().err


def test_retrain_cannot_change_the_search(finished_run, tmp_path):
    with pytest.raises(ConfigError, match=r"changes only final-training settings .* got \['method'\]"):
        retrain_search(finished_run, tmp_path / "new", {"method": "rs"})
    assert not (tmp_path / "new").exists()


def test_retrain_keeps_the_source_rr_features(finished_run, tmp_path, mitdb_dir, session_cache_dir):
    # The retraining reads the RR features from the search it repeats, not from the defaults.
    source = tmp_path / "relative"
    shutil.copytree(finished_run, source, ignore=shutil.ignore_patterns("mlflow.db", "model"))
    state = read_json(source / "run.json")
    state["config"]["rr_features"] = list(RELATIVE_RR_FEATURES)
    (source / "run.json").write_text(json.dumps(state))
    checkpoint = read_json(source / "checkpoint.json")
    checkpoint["fingerprint"] = config_from_dict(state["config"]).fingerprint()
    (source / "checkpoint.json").write_text(json.dumps(checkpoint))

    run_dir = tmp_path / "retrained"
    arguments = ["retrain", str(source), "--final-epochs", "last", "--run-dir", str(run_dir)]
    assert main([*arguments, *data_args(mitdb_dir, session_cache_dir)]) == 0
    saved = read_json(run_dir / "model" / "model.json")
    assert tuple(saved["rr_features"]) == RELATIVE_RR_FEATURES
    assert tuple(read_json(run_dir / "run.json")["config"]["rr_features"]) == RELATIVE_RR_FEATURES
