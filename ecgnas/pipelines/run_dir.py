"""The run directory of an ECG search or baseline: its state file and where each output goes.

Layout::

    RUN_DIR/
      run.json          configuration, status, MLflow ids, data and space fingerprints
      checkpoint.json   every finished candidate evaluation (see ecgnas.search.checkpoint)
      mlflow.db         the embedded MLflow store, unless --tracking-uri points elsewhere
      mlartifacts/      artifacts of the embedded store
      final/            retrained top architectures: one .json (metrics) and .pt (weights) each
      model/            the selected model: weights, architecture and preprocessing
      report.md         the search report
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ecgnas.atomic import write_atomic
from ecgnas.exceptions import ConfigError

RUN_FILE = "run.json"


class RunDirectory:
    """Paths and the state file of one search run."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @property
    def run_file(self) -> Path:
        return self.path / RUN_FILE

    @property
    def checkpoint(self) -> Path:
        return self.path / "checkpoint.json"

    @property
    def final_dir(self) -> Path:
        return self.path / "final"

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def report(self) -> Path:
        return self.path / "report.md"

    def check_new(self) -> None:
        """Check that the directory contains no run yet, before any data is read.

        Raises:
            ConfigError: The directory already contains a search or a baseline run.
        """
        if not self.run_file.exists():
            return
        if self._kind() == "baseline":
            raise ConfigError(
                f"run directory {self.path} already contains a baseline run; choose another "
                "--run-dir or delete that folder to train again"
            )
        raise ConfigError(
            f"run directory {self.path} already contains a search; resume it with "
            f"`ecgnas search --resume {self.path}` or choose another --run-dir"
        )

    def create(self) -> None:
        """Create the directory for a new run.

        Raises:
            ConfigError: The directory already contains a run.
        """
        self.check_new()
        self.path.mkdir(parents=True, exist_ok=True)

    def read_search(self) -> dict[str, Any]:
        """Read the state file of a search, for ``--resume``.

        Raises:
            ConfigError: The directory is missing, unreadable, or contains a baseline run.
        """
        state = self.read()
        if state.get("kind") == "baseline":
            raise ConfigError(
                f"{self.path} contains a baseline run, which cannot be resumed; train it again "
                "with `ecgnas baseline` and another --run-dir"
            )
        return state

    def finish_hint(self, state: dict[str, Any]) -> str:
        """Return how to finish the unfinished run whose state is ``state``."""
        if state.get("kind") == "baseline":
            return "train the baseline again with `ecgnas baseline` and another --run-dir"
        if "retrained_from" in state:
            return (
                f"finish it with `ecgnas retrain {state['retrained_from']} --run-dir {self.path}` and "
                "the options that started it"
            )
        return f"finish it with `ecgnas search --resume {self.path}`"

    def _kind(self) -> str:
        try:
            return str(json.loads(self.run_file.read_text()).get("kind", "search"))
        except (OSError, json.JSONDecodeError, AttributeError):
            return "search"

    def read(self) -> dict[str, Any]:
        """Read the state file.

        Raises:
            ConfigError: The directory is missing or has no readable search state.
        """
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(
                f"{self.path} is a file, not a run directory; pass the folder that `ecgnas search` "
                "or `ecgnas baseline` created"
            )
        if not self.path.is_dir():
            raise ConfigError(f"run directory {self.path} not found; check the path")
        if not self.run_file.is_file():
            raise ConfigError(
                f"{self.path} is not a run directory: {RUN_FILE} is missing; pass the folder "
                "that `ecgnas search` or `ecgnas baseline` created"
            )
        try:
            return json.loads(self.run_file.read_text())
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{self.run_file} is corrupt ({error}); the run cannot be resumed, compared or exported, "
                "so run it again with another --run-dir"
            ) from error

    def write(self, state: dict[str, Any]) -> None:
        """Replace the state file atomically."""
        payload = json.dumps(state, indent=2, default=str).encode()
        write_atomic(self.run_file, lambda handle: handle.write(payload))

    def update(self, **changes: Any) -> dict[str, Any]:
        """Change some fields of the state file and return the new state."""
        state = self.read()
        state.update(changes)
        self.write(state)
        return state
