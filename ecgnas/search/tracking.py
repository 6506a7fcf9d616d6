"""Experiment tracking of a search in MLflow: a parent run and one nested run per candidate.

The tracker talks to MLflow through :class:`mlflow.MlflowClient` with explicit run
ids, never through MLflow's global "active run", so the driver and remote workers
can log to the same store without sharing state. The default store is an SQLite
file inside the run directory, so nothing needs to be started.
"""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

from ecgnas.search.result import EvaluationResult

logger = logging.getLogger(__name__)

ARCH_HASH_TAG = "ecgnas.arch_hash"
MAX_PARAM_LENGTH = 500  # MLflow rejects longer parameter values (6000 in new stores, 500 in old ones).


def default_tracking_uri(run_dir: Path) -> str:
    """Return the embedded SQLite store inside ``run_dir``."""
    return f"sqlite:///{(Path(run_dir) / 'mlflow.db').resolve()}"


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    else:
        out[prefix] = value


class Tracker:
    """A tracker that records nothing; the base of :class:`MlflowTracker`."""

    parent_run_id: str | None = None

    def start(self, config: dict[str, Any], tags: dict[str, str] | None = None) -> None:
        """Open (or reopen, when resuming) the parent run of the search."""

    def log_candidate(self, result: EvaluationResult, index: int) -> None:
        """Record one evaluated candidate as a nested run."""

    def log_budget(self, spent: float, remaining: float, step: int) -> None:
        """Record the budget spent and remaining after ``step`` evaluations."""

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        """Record metrics of the parent run."""

    def log_artifact(self, path: Path) -> None:
        """Attach a file or folder to the parent run."""

    def finish(self, status: str = "FINISHED") -> None:
        """Close the parent run with ``FINISHED``, ``FAILED`` or ``KILLED``."""


class MlflowTracker(Tracker):
    """Tracking in an MLflow store.

    Args:
        tracking_uri: The store, for example ``sqlite:///run/mlflow.db`` or
            ``http://host:5000``.
        experiment: Experiment name; created when missing.
        artifact_dir: Where a new experiment keeps artifacts in an embedded store;
            a server chooses for itself.
        parent_run_id: The parent run of an interrupted search, to resume it.
    """

    def __init__(
        self,
        tracking_uri: str,
        experiment: str,
        artifact_dir: Path | None = None,
        parent_run_id: str | None = None,
    ) -> None:
        from mlflow import MlflowClient

        self.tracking_uri = tracking_uri
        self.client = MlflowClient(tracking_uri=tracking_uri)
        self.experiment = experiment
        self.artifact_dir = artifact_dir
        self.parent_run_id = parent_run_id
        self._logged_hashes: set[str] = set()

    def _experiment_id(self) -> str:
        found = self.client.get_experiment_by_name(self.experiment)
        if found is not None:
            return found.experiment_id
        location = self.artifact_dir.resolve().as_uri() if self.artifact_dir is not None else None
        return self.client.create_experiment(self.experiment, artifact_location=location)

    def start(self, config: dict[str, Any], tags: dict[str, str] | None = None) -> None:
        from mlflow.entities import Param

        self.experiment_id = self._experiment_id()
        if self.parent_run_id is not None:
            # Resuming: candidates logged before the interruption are not logged twice.
            self.client.update_run(self.parent_run_id, status="RUNNING")
            children = self.client.search_runs(
                [self.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{self.parent_run_id}'"
            )
            self._logged_hashes = {run.data.tags.get(ARCH_HASH_TAG, "") for run in children}
            logger.info(
                "Resumed MLflow run %s (%d candidates already logged)", self.parent_run_id, len(children)
            )
            return

        run = self.client.create_run(
            self.experiment_id, run_name=config.get("name", "search"), tags=tags or {}
        )
        self.parent_run_id = run.info.run_id
        flat: dict[str, Any] = {}
        _flatten("", config, flat)
        params = [Param(key, str(value)[:MAX_PARAM_LENGTH]) for key, value in sorted(flat.items())]
        for first in range(0, len(params), 100):  # MLflow accepts at most 100 parameters per batch.
            self.client.log_batch(self.parent_run_id, params=params[first : first + 100])
        self.client.log_text(self.parent_run_id, json.dumps(config, indent=2, default=str), "config.json")
        logger.info(
            "MLflow parent run %s in experiment %r at %s",
            self.parent_run_id,
            self.experiment,
            self.tracking_uri,
        )

    def log_candidate(self, result: EvaluationResult, index: int) -> None:
        from mlflow.entities import Metric, Param, RunTag

        arch_hash = result.arch.fingerprint
        if arch_hash in self._logged_hashes:
            return
        now = int(time.time() * 1000)
        tags = {
            "mlflow.parentRunId": self.parent_run_id,
            ARCH_HASH_TAG: arch_hash,
            "ecgnas.status": result.status,
        }
        run = self.client.create_run(self.experiment_id, run_name=f"candidate-{index:04d}", tags=tags)
        run_id = run.info.run_id

        params = [Param("arch", result.arch.to_string()[:MAX_PARAM_LENGTH]), Param("index", str(index))]
        metrics = [Metric("cost_seconds", result.cost_seconds, now, 0)]
        if result.ok:
            metrics.append(Metric("validation_metric", result.metric, now, 0))
        if result.test_metric is not None:
            metrics.append(Metric("test_metric", result.test_metric, now, 0))
        for key, value in result.info.items():
            if key == "epochs" and isinstance(value, list):
                # Per-epoch metrics: a list of {name: value} dicts, one per epoch.
                for step, epoch in enumerate(value):
                    metrics += [
                        Metric(name, float(v), now, step)
                        for name, v in epoch.items()
                        if isinstance(v, (int, float)) and math.isfinite(v)
                    ]
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                metrics.append(Metric(key, float(value), now, 0))
            elif isinstance(value, (str, bool)):
                params.append(Param(key, str(value)[:MAX_PARAM_LENGTH]))
        extra_tags = [RunTag("ecgnas.reason", result.reason[:5000])] if result.reason else []
        for first in range(0, len(metrics), 1000):
            self.client.log_batch(run_id, metrics=metrics[first : first + 1000])
        self.client.log_batch(run_id, params=params[:100], tags=extra_tags)
        self.client.set_terminated(run_id, "FINISHED" if result.ok else "FAILED")
        self._logged_hashes.add(arch_hash)

    def log_budget(self, spent: float, remaining: float, step: int) -> None:
        self.log_metrics({"budget_spent": spent, "budget_remaining": remaining}, step)

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        batch = [Metric(key, float(value), now, step or 0) for key, value in metrics.items()]
        self.client.log_batch(self.parent_run_id, metrics=batch)

    def log_artifact(self, path: Path) -> None:
        path = Path(path)
        if path.is_dir():
            self.client.log_artifacts(self.parent_run_id, str(path), artifact_path=path.name)
        else:
            self.client.log_artifact(self.parent_run_id, str(path))

    def finish(self, status: str = "FINISHED") -> None:
        if self.parent_run_id is not None:
            self.client.set_terminated(self.parent_run_id, status)
