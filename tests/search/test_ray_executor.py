"""Candidate evaluation on a local Ray instance: parallel batches, failures, worker deaths."""

import os
from pathlib import Path

import pytest

from ecgnas.search import Budget, RandomSearch, run_search
from ecgnas.search.evaluator import Evaluator
from tests.search.conftest import StructureEvaluator

# Keep the local Ray instance on 127.0.0.1; the variable must be set before Ray is imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray")

from ecgnas.search.ray_executor import RayExecutor  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance with 2 CPUs for the module, bound to loopback."""
    executor = RayExecutor(local_cpus=2)
    executor._ensure_ray()
    yield
    ray.shutdown()


class DyingEvaluator(Evaluator):
    """Kills its worker process on chosen calls: once for one architecture, always for another."""

    def __init__(self, marker_dir: Path, inner: StructureEvaluator) -> None:
        self.marker_dir = marker_dir
        self.inner = inner

    def evaluate(self, arch):
        marker = self.marker_dir / arch.fingerprint
        count = int(marker.read_text()) if marker.exists() else 0
        marker.write_text(str(count + 1))
        always = (self.marker_dir / "always").read_text() == arch.fingerprint
        once = (self.marker_dir / "once").read_text() == arch.fingerprint
        if always or (once and count == 0):
            os._exit(1)
        return self.inner.evaluate(arch)


def test_local_instance_on_loopback(local_ray):
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}


def test_ray_search_matches_local_results(space, local_ray):
    local = run_search(RandomSearch(space, 0), StructureEvaluator(), Budget(max_evaluations=8))
    remote = run_search(
        RandomSearch(space, 0, batch_size=4),
        StructureEvaluator(),
        Budget(max_evaluations=8),
        executor=RayExecutor(local_cpus=2),
    )
    assert len(remote) == 8
    assert {r.arch for r in remote} == {r.arch for r in local}
    assert sorted(r.metric for r in remote) == sorted(r.metric for r in local)


def test_ray_task_that_raises_is_failed(space, local_ray):
    history = run_search(
        RandomSearch(space, 1, batch_size=3),
        StructureEvaluator(fail_every=1),
        Budget(max_evaluations=3),
        executor=RayExecutor(),
    )
    assert [r.ok for r in history] == [False, False, False]
    assert all("simulated out of memory" in r.reason for r in history)


def test_cost_budget_stops_new_tasks(space, local_ray):
    # Each evaluation reports 10 s; with 2 in flight the spend passes 35 s by one batch at most.
    history = run_search(
        RandomSearch(space, 2, batch_size=2),
        StructureEvaluator(),
        Budget(max_cost_seconds=35.0),
        executor=RayExecutor(max_in_flight=2),
    )
    assert 40.0 <= history.cost_seconds <= 50.0


def test_dead_worker_retried_then_failed(space, local_ray, tmp_path):
    archs = [space.sample(seed) for seed in range(4)]
    (tmp_path / "once").write_text(archs[0].fingerprint)
    (tmp_path / "always").write_text(archs[1].fingerprint)
    evaluator = DyingEvaluator(tmp_path, StructureEvaluator())
    results = {r.arch: r for r in RayExecutor(worker_retries=1).run(evaluator, archs, lambda: True)}

    assert len(results) == 4
    assert results[archs[0]].ok
    assert not results[archs[1]].ok
    assert "worker died" in results[archs[1]].reason
    assert (tmp_path / archs[1].fingerprint).read_text() == "2"
