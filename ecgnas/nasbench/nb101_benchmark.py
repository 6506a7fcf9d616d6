"""The NAS-Bench-101 modes: ``nasbench101-20k`` and ``nasbench101-full``.

``nasbench101-20k`` confines the search to the 20,001 cells of the subset
table. Its metric is the validation accuracy of one training run (not the mean
of three), and it has **no test accuracy**. ``nasbench101-full`` searches all
423,624 cells and reads mean validation and test accuracy over the three runs
from the official NAS-Bench-101 results file, which users download themselves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench.errors import NotInBenchmarkError
from ecgnas.nasbench.files import NB101_CELLS, NB101_RECORD, file_sha256, nasbench_dir
from ecgnas.nasbench.nb101_cells import NasBench101Cells, load_nb101_cells
from ecgnas.nasbench.nb101_hash import architecture_hash
from ecgnas.nasbench.nb101_record import NasBench101Results, load_nb101_results
from ecgnas.nasbench.nb101_subset import (
    EPOCHS,
    FULL_EPOCHS,
    NasBench101Subset,
    check_epochs,
    load_nb101_subset,
)
from ecgnas.nasbench.tabular import TableResult, TabularBenchmark
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.nasbench101 import NasBench101Space

SUBSET_MODE = "nasbench101-20k"
FULL_MODE = "nasbench101-full"


class NasBench101SubsetBenchmark(TabularBenchmark):
    """The ``nasbench101-20k`` mode: 20,001 cells with single-run validation accuracy.

    The metric is the validation accuracy after 108 epochs, with 4, 12 and 36
    epochs as cheaper fidelities; :attr:`TableResult.test_metric` is always
    ``None``. The cost is the 108-epoch training time, scaled by ``epochs/108``
    for the shorter budgets (an estimate: the subset has no time for them).

    Args:
        data_dir: Data directory whose ``nasbench/`` folder contains the tables.
        cache_dir: Cache directory.
        cells: An already loaded cell table, to share it between modes.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike | None = None,
        cache_dir: str | os.PathLike | None = None,
        cells: NasBench101Cells | None = None,
    ) -> None:
        self._cells = cells if cells is not None else load_nb101_cells(data_dir)
        self._cells_path = nasbench_dir(data_dir) / NB101_CELLS
        self._subset = load_nb101_subset(self._cells, data_dir, cache_dir)
        self._space = NasBench101Space(self._cells, self._subset.cell_rows, name=SUBSET_MODE)

    @property
    def mode(self) -> str:
        return SUBSET_MODE

    @property
    def space(self) -> NasBench101Space:
        return self._space

    @property
    def subset(self) -> NasBench101Subset:
        """The subset table."""
        return self._subset

    @property
    def epochs(self) -> tuple[int, ...]:
        return tuple(sorted(EPOCHS, reverse=True))

    @property
    def has_test_metric(self) -> bool:
        return False

    def query(self, arch: Architecture, epochs: int | None = None) -> TableResult:
        module_hash = _checked_hash(self._space, arch)
        row = self._subset.find(module_hash)
        if row is None:
            # An invalid cell gets the rule it breaks, a valid one the missing row.
            self._space.validate_cell(arch)
            row = self._subset.row_of(module_hash)
        return self._result(row, epochs)

    def query_hash(self, module_hash: str, epochs: int | None = None) -> TableResult:
        """Return the row of a 32-hex NAS-Bench-101 hash.

        Raises:
            NotInBenchmarkError: The cell is not in the subset.
            ConfigError: ``epochs`` is not 4, 12, 36 or 108.
        """
        return self._result(self._subset.row_of(module_hash), epochs)

    def _result(self, row: int, epochs: int | None) -> TableResult:
        budget = FULL_EPOCHS if epochs is None else check_epochs(epochs)
        return TableResult(
            metric=float(self._subset.valid_accuracy[row, EPOCHS.index(budget)]),
            test_metric=None,
            cost_s=float(self._subset.train_time_s[row]) * (budget / FULL_EPOCHS),
            epochs=budget,
            params_m=float(self._subset.params[row]) / 1e6,
            benchmark=SUBSET_MODE,
            key=self._subset.hash_of(row),
            cost_is_estimate=budget != FULL_EPOCHS,
        )

    def summary(self) -> dict[str, Any]:
        optima = {}
        for column, epochs in enumerate(EPOCHS):
            values = self._subset.valid_accuracy[:, column]
            best = int(np.argmax(values))
            optima[f"valid@{epochs}"] = {"accuracy": float(values[best]), "hash": self._subset.hash_of(best)}
        return {
            "mode": SUBSET_MODE,
            "dataset": "cifar10",
            "cells": len(self._subset),
            "space_cells": len(self._cells),
            "epochs": list(self.epochs),
            "metric": "validation accuracy (%) of one training run, not the mean of three",
            "test_metric": "none: this mode has no test accuracy",
            "cost": "training time of the 108-epoch run (s); scaled by epochs/108 below 108 (estimate)",
            "optima": optima,
            "files": {self._cells_path.name: file_sha256(self._cells_path), **self._subset.source_sha256},
        }


class NasBench101FullBenchmark(TabularBenchmark):
    """The ``nasbench101-full`` mode: all 423,624 cells, from the official results file.

    The metric and test metric are the validation and test accuracy at the end
    of training, averaged over the runs (three per budget). The cost is their
    mean training time.

    Args:
        record: The official TFRecord file (default:
            ``DATA_DIR/nasbench/nasbench_only108.tfrecord``).
        data_dir: Data directory whose ``nasbench/`` folder contains the tables.
        cache_dir: Cache directory.
        cells: An already loaded cell table, to share it between modes.
        verify_crc: Verify the CRC-32C of every record's data when reading the file.
    """

    def __init__(
        self,
        record: str | os.PathLike | None = None,
        data_dir: str | os.PathLike | None = None,
        cache_dir: str | os.PathLike | None = None,
        cells: NasBench101Cells | None = None,
        verify_crc: bool = False,
    ) -> None:
        self._cells = cells if cells is not None else load_nb101_cells(data_dir)
        self._cells_path = nasbench_dir(data_dir) / NB101_CELLS
        path = Path(record) if record is not None else nasbench_dir(data_dir) / NB101_RECORD
        self._results = load_nb101_results(path, cache_dir, verify_crc=verify_crc)
        self._space = NasBench101Space(self._cells, name="nasbench101")

    @property
    def mode(self) -> str:
        return FULL_MODE

    @property
    def space(self) -> NasBench101Space:
        return self._space

    @property
    def results(self) -> NasBench101Results:
        """The mean results read from the official file."""
        return self._results

    @property
    def epochs(self) -> tuple[int, ...]:
        return tuple(sorted(self._results.epochs, reverse=True))

    def query(self, arch: Architecture, epochs: int | None = None) -> TableResult:
        module_hash = _checked_hash(self._space, arch)
        row = self._results.find(module_hash)
        if row is None:
            self._space.validate(arch)
            row = self._results.row_of(module_hash)
        return self._result(row, epochs)

    def query_hash(self, module_hash: str, epochs: int | None = None) -> TableResult:
        """Return the mean results of a 32-hex NAS-Bench-101 hash.

        Raises:
            NotInBenchmarkError: The file has no runs of this cell at this budget.
            ConfigError: The file has no runs at ``epochs``.
        """
        return self._result(self._results.row_of(module_hash), epochs)

    def _result(self, row: int, epochs: int | None) -> TableResult:
        budget = max(self._results.epochs) if epochs is None else int(epochs)
        column = self._results.epoch_column(budget)
        module_hash = bytes(self._results.hashes[row]).hex()
        if self._results.runs[row, column] == 0:
            raise _missing_budget(module_hash, budget, self._results.source)
        return TableResult(
            metric=float(self._results.valid_accuracy[row, column]),
            test_metric=float(self._results.test_accuracy[row, column]),
            cost_s=float(self._results.train_time_s[row, column]),
            epochs=budget,
            params_m=float(self._results.params[row]) / 1e6,
            benchmark=FULL_MODE,
            key=module_hash,
        )

    def summary(self) -> dict[str, Any]:
        optima = {}
        for column, epochs in enumerate(self._results.epochs):
            for split, values in (
                ("valid", self._results.valid_accuracy),
                ("test", self._results.test_accuracy),
            ):
                best = int(np.nanargmax(values[:, column]))
                optima[f"{split}@{epochs}"] = {
                    "accuracy": float(values[best, column]),
                    "hash": bytes(self._results.hashes[best]).hex(),
                }
        return {
            "mode": FULL_MODE,
            "dataset": "cifar10",
            "cells": len(self._results),
            "space_cells": len(self._cells),
            "epochs": list(self.epochs),
            "metric": "validation accuracy (%), mean over the runs",
            "test_metric": "test accuracy (%), mean over the runs",
            "cost": "training time (s), mean over the runs",
            "optima": optima,
            "files": {
                self._cells_path.name: file_sha256(self._cells_path),
                self._results.source.name: file_sha256(self._results.source),
            },
        }


def _checked_hash(space: NasBench101Space, arch: Architecture) -> str:
    """Return the NAS-Bench-101 hash of ``arch``, validating it when the hash alone cannot tell."""
    if arch.global_choices:
        space.validate(arch)
    try:
        return architecture_hash(arch)
    except ValueError:
        space.validate(arch)
        raise


def _missing_budget(module_hash: str, epochs: int, source: Path) -> NotInBenchmarkError:
    return NotInBenchmarkError(
        f"{source} has no run of the NAS-Bench-101 cell {module_hash} at {epochs} epochs"
    )


def check_cifar10(dataset: str | None, mode: str) -> None:
    """Reject a dataset other than CIFAR-10, the only one NAS-Bench-101 trains on.

    Raises:
        ConfigError: Naming the mode and the valid dataset.
    """
    if dataset is not None and dataset.strip().lower() != "cifar10":
        raise ConfigError(
            f"mode {mode!r} has results on CIFAR-10 only, not {dataset!r}; valid datasets: ['cifar10']"
        )
