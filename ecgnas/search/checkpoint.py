"""Atomic JSON checkpoints of a search, and resumption by replay.

A checkpoint stores the search's configuration fingerprint and every finished
evaluation. A resumed search runs its strategy again from the same seed; each
architecture it proposes that the checkpoint already contains gets the recorded
result instead of a new evaluation. Deterministic strategies therefore retrace
the interrupted run exactly and then go on, and a resumed search ends with the
result it would have had without the interruption. An evaluation in flight at
the crash is not in the checkpoint, so it runs again.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from ecgnas.atomic import write_atomic
from ecgnas.exceptions import ConfigError
from ecgnas.search.evaluator import Evaluator
from ecgnas.search.history import History
from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.architecture import Architecture

logger = logging.getLogger(__name__)

CHECKPOINT_VERSION = 1


class Checkpoint:
    """The checkpoint file of one search.

    Args:
        path: JSON file to write after every evaluation.
        fingerprint: Hash of the search configuration; a checkpoint written
            under another configuration is rejected on resume.
    """

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint

    def save(self, history: History, extra: dict[str, Any] | None = None) -> None:
        """Write every result of ``history`` atomically."""
        state = {
            "version": CHECKPOINT_VERSION,
            "fingerprint": self.fingerprint,
            "results": [result.to_dict() for result in history],
            "extra": extra or {},
        }
        payload = json.dumps(state, indent=1).encode()
        write_atomic(self.path, lambda handle: handle.write(payload))

    def load(self) -> list[EvaluationResult]:
        """Read the recorded results; an absent file means a fresh search.

        Raises:
            ConfigError: The file is corrupt, from another ecgnas version, or from
                a search with another configuration.
        """
        if not self.path.is_file():
            return []
        try:
            state = json.loads(self.path.read_text())
            version, fingerprint = state["version"], state["fingerprint"]
            results = [EvaluationResult.from_dict(item) for item in state["results"]]
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise ConfigError(
                f"checkpoint {self.path} is corrupt ({error}); delete it to start the search afresh"
            ) from error
        if version != CHECKPOINT_VERSION:
            raise ConfigError(
                f"checkpoint {self.path} has format version {version}, this ecgnas reads "
                f"{CHECKPOINT_VERSION}; finish the search with the version that started it"
            )
        if fingerprint != self.fingerprint:
            raise ConfigError(
                f"checkpoint {self.path} belongs to a search with another configuration "
                f"(fingerprint {fingerprint}, expected {self.fingerprint}); resume with the "
                "original settings or start a new run directory"
            )
        return results


class ReplayEvaluator(Evaluator):
    """Returns recorded results for architectures a checkpoint holds, and evaluates the rest."""

    def __init__(self, evaluator: Evaluator, recorded: list[EvaluationResult]) -> None:
        self.evaluator = evaluator
        self.recorded: dict[Architecture, EvaluationResult] = {result.arch: result for result in recorded}
        self.replayed_ids: set[int] = set()

    @property
    def replayed(self) -> int:
        """Number of recorded results returned so far."""
        return len(self.replayed_ids)

    def is_replayed(self, result: EvaluationResult) -> bool:
        """Return whether ``result`` came from the checkpoint rather than a new evaluation."""
        return id(result) in self.replayed_ids

    def evaluate(self, arch: Architecture) -> EvaluationResult:
        recorded = self.recorded.pop(arch, None)
        if recorded is not None:
            self.replayed_ids.add(id(recorded))
            return recorded
        return self.evaluator.evaluate(arch)
