"""Evaluating candidates as Ray tasks, on this machine or on a Ray cluster.

Ray (https://docs.ray.io) schedules the tasks; ecgnas only submits them, within
the budget, and consumes results as they complete. Each task runs the
evaluator in a Ray worker with a declared number of CPUs and GPUs and as many
torch threads as CPUs, so parallel tasks do not oversubscribe the cores.

Ray is an optional dependency (``pip install ecgnas[distributed]``); this module
imports it only when an executor runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ecgnas.exceptions import ConfigError
from ecgnas.search.evaluator import Evaluator, evaluate_safely
from ecgnas.search.executor import Executor
from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.architecture import Architecture

logger = logging.getLogger(__name__)


def evaluate_in_worker(evaluator: Evaluator, arch: Architecture, threads: int) -> EvaluationResult:
    """Evaluate one architecture inside a Ray worker with ``threads`` torch threads."""
    import torch

    torch.set_num_threads(threads)
    return evaluate_safely(evaluator, arch)


# With this variable false, Ray uses 127.0.0.1 as the address of a local node
# instead of the machine's network address (ray._private.services.get_node_ip_address,
# Ray 2.x), so a local instance never listens on or sends to a network interface.
# It must be set before Ray is imported.
LOOPBACK_ONLY_VARIABLE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def import_ray(local: bool = True) -> Any:
    """Import Ray, or explain how to install it; keep a local instance on loopback."""
    if local:
        os.environ.setdefault(LOOPBACK_ONLY_VARIABLE, "0")
    try:
        import ray
    except ImportError as error:
        raise ConfigError(
            "the Ray executor needs Ray, which is not installed; run `pip install 'ecgnas[distributed]'` "
            "or use the default local executor"
        ) from error
    return ray


class RayExecutor(Executor):
    """Runs each batch as Ray tasks and yields results in completion order.

    A task whose evaluator raises returns a failed result (the evaluator call is
    wrapped by :func:`evaluate_safely` inside the worker). A task whose worker
    process dies is submitted again ``worker_retries`` times, then recorded as failed.

    Args:
        address: Address of a running Ray cluster (``ray start --head`` prints it),
            or ``None`` to start a local Ray instance bound to 127.0.0.1.
        cpus_per_task: CPUs Ray reserves for each candidate; also its torch threads.
        gpus_per_task: GPUs Ray reserves for each candidate (fractions allowed).
        max_in_flight: Most tasks submitted at once; ``None`` lets Ray queue the whole batch.
        worker_retries: Submissions after a worker death before the candidate is failed.
        local_cpus: CPUs of a local instance (ignored with ``address``); ``None`` uses all.
    """

    def __init__(
        self,
        address: str | None = None,
        cpus_per_task: float = 1.0,
        gpus_per_task: float = 0.0,
        max_in_flight: int | None = None,
        worker_retries: int = 1,
        local_cpus: int | None = None,
    ) -> None:
        if cpus_per_task <= 0:
            raise ConfigError(f"cpus_per_task must be positive, got {cpus_per_task!r}")
        if gpus_per_task < 0:
            raise ConfigError(f"gpus_per_task must be >= 0, got {gpus_per_task!r}")
        if max_in_flight is not None and max_in_flight < 1:
            raise ConfigError(f"max_in_flight must be at least 1 or None, got {max_in_flight!r}")
        if worker_retries < 0:
            raise ConfigError(f"worker_retries must be >= 0, got {worker_retries!r}")
        self.address = address
        self.cpus_per_task = cpus_per_task
        self.gpus_per_task = gpus_per_task
        self.max_in_flight = max_in_flight
        self.worker_retries = worker_retries
        self.local_cpus = local_cpus
        self._evaluator_refs: dict[int, Any] = {}

    def _ensure_ray(self) -> Any:
        ray = import_ray(local=self.address is None)
        if not ray.is_initialized():
            if self.address is None:
                # A local instance talks to itself over loopback only.
                ray.init(num_cpus=self.local_cpus, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.address, log_to_driver=False)
            logger.info("Ray resources: %s", ray.cluster_resources())
        return ray

    def run(
        self, evaluator: Evaluator, archs: Sequence[Architecture], may_start: Callable[[], bool]
    ) -> Iterator[EvaluationResult]:
        ray = self._ensure_ray()
        from ray.exceptions import RayTaskError, WorkerCrashedError

        remote = ray.remote(evaluate_in_worker).options(
            num_cpus=self.cpus_per_task, num_gpus=self.gpus_per_task, max_retries=0
        )
        # The evaluator (for ECG: the training beats) is sent to the object store once.
        if id(evaluator) not in self._evaluator_refs:
            self._evaluator_refs = {id(evaluator): ray.put(evaluator)}
        evaluator_ref = self._evaluator_refs[id(evaluator)]
        threads = max(1, int(self.cpus_per_task))

        queue = list(archs)
        pending: dict[Any, Architecture] = {}
        submissions: dict[Architecture, int] = {}
        limit = self.max_in_flight or len(queue)

        def submit(arch: Architecture) -> None:
            submissions[arch] = submissions.get(arch, 0) + 1
            pending[remote.remote(evaluator_ref, arch, threads)] = arch

        def fill() -> None:
            while queue and len(pending) < limit and may_start():
                submit(queue.pop(0))

        fill()
        while pending:
            (ready,), _ = ray.wait(list(pending), num_returns=1)
            arch = pending.pop(ready)
            try:
                result = ray.get(ready)
            except WorkerCrashedError as error:
                if submissions[arch] <= self.worker_retries and may_start():
                    logger.warning("Worker died evaluating %s; submitting it again", arch.to_string())
                    submit(arch)
                    continue
                logger.warning("Worker died evaluating %s again; marking it failed", arch.to_string())
                result = EvaluationResult.failed(arch, f"worker died: {str(error).splitlines()[0]}")
            except RayTaskError as error:
                # evaluate_safely catches evaluator errors, so this is a failure of the task itself.
                logger.warning("Ray task for %s failed", arch.to_string(), exc_info=True)
                result = EvaluationResult.failed(arch, f"Ray task failed: {str(error).splitlines()[0]}")
            yield result
            fill()
