"""A smoke search on a local Ray instance, tracked by an MLflow server on 127.0.0.1."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

# Keep the local Ray instance on 127.0.0.1; the variable must be set before Ray is imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray")

from mlflow import MlflowClient  # noqa: E402

from ecgnas.cli.main import main  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
    """An MLflow tracking server on 127.0.0.1 with one worker, stopped after the module."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{folder / 'mlflow.db'}",
            "--default-artifact-root",
            (folder / "artifacts").as_uri(),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(1)
    else:
        process.terminate()
        pytest.fail("the MLflow server did not start within 120 s")
    yield uri
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def ray_search(tmp_path_factory, mlflow_server, mitdb_dir, session_cache_dir):
    run_dir = tmp_path_factory.mktemp("ray-search") / "run"
    arguments = [
        "search",
        "--preset",
        "smoke",
        "--max-evals",
        "4",
        "--budget",
        "2h",
        "--executor",
        "ray",
        "--cpus-per-candidate",
        "1",
        "--tracking-uri",
        mlflow_server,
        "--run-dir",
        str(run_dir),
        "--data-dir",
        str(mitdb_dir.parent),
        "--cache-dir",
        str(session_cache_dir),
    ]
    try:
        assert main(arguments) == 0
    finally:
        ray.shutdown()
    return run_dir


def test_candidates_visible_on_server(ray_search, mlflow_server):
    state = json.loads((ray_search / "run.json").read_text())
    assert state["tracking_uri"] == mlflow_server
    client = MlflowClient(tracking_uri=mlflow_server)
    experiment = client.get_experiment_by_name(state["mlflow_experiment"])
    children = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{state['mlflow_parent_run_id']}'",
    )
    assert len(children) == 4
    assert client.get_run(state["mlflow_parent_run_id"]).info.status == "FINISHED"


def test_ray_search_respects_budget(ray_search):
    results = json.loads((ray_search / "checkpoint.json").read_text())["results"]
    assert len(results) == 4
    assert (ray_search / "model" / "weights.pt").is_file()
