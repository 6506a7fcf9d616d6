"""MLflow tracking of a search in an embedded SQLite store."""

import pytest

from ecgnas.search import Budget, Checkpoint, RandomSearch, run_search
from ecgnas.search.tracking import MlflowTracker, default_tracking_uri
from tests.search.conftest import StructureEvaluator


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory):
    # Creating an SQLite store runs MLflow's migrations (seconds), so the module shares one.
    return default_tracking_uri(tmp_path_factory.mktemp("tracking"))


def tracked_search(space, tracker, evaluator, checkpoint=None, evaluations=6):
    tracker.start({"name": "toy", "seed": 0, "strategy": {"name": "rs"}})

    def on_result(result, history):
        tracker.log_candidate(result, len(history))
        tracker.log_budget(len(history), evaluations - len(history), len(history))

    history = run_search(
        RandomSearch(space, 0),
        evaluator,
        Budget(max_evaluations=evaluations),
        checkpoint=checkpoint,
        on_result=on_result,
    )
    tracker.finish()
    return history


def child_runs(tracker):
    return tracker.client.search_runs(
        [tracker.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{tracker.parent_run_id}'"
    )


def test_candidates_logged_as_nested_runs(space, tracking_uri, tmp_path):
    tracker = MlflowTracker(tracking_uri, "nested", artifact_dir=tmp_path)
    history = tracked_search(space, tracker, StructureEvaluator(fail_every=3))
    runs = child_runs(tracker)
    assert len(runs) == len(history) == 6
    statuses = sorted(run.info.status for run in runs)
    assert statuses == ["FAILED"] * 2 + ["FINISHED"] * 4
    archs = {run.data.params["arch"] for run in runs}
    assert archs == {result.arch.to_string() for result in history}


def test_parent_run_holds_config_and_budget(space, tracking_uri, tmp_path):
    tracker = MlflowTracker(tracking_uri, "parent", artifact_dir=tmp_path)
    tracked_search(space, tracker, StructureEvaluator())
    parent = tracker.client.get_run(tracker.parent_run_id)
    assert parent.data.params["seed"] == "0"
    assert parent.data.params["strategy.name"] == "rs"
    history = tracker.client.get_metric_history(tracker.parent_run_id, "budget_spent")
    assert [metric.value for metric in history] == [1, 2, 3, 4, 5, 6]
    assert parent.info.status == "FINISHED"


def test_resume_reuses_parent_without_duplicates(space, tracking_uri, tmp_path):
    checkpoint = Checkpoint(tmp_path / "state.json", "toy")
    first = MlflowTracker(tracking_uri, "resume", artifact_dir=tmp_path)
    with pytest.raises(KeyboardInterrupt):
        tracked_search(space, first, StructureEvaluator(interrupt_at=4), checkpoint)

    second = MlflowTracker(tracking_uri, "resume", artifact_dir=tmp_path, parent_run_id=first.parent_run_id)
    tracked_search(space, second, StructureEvaluator(), checkpoint)
    assert len(child_runs(second)) == 6
