"""The ``nasbench201`` mode: NAS-Bench-201 results for one dataset."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ecgnas.nasbench import nb201_cell
from ecgnas.nasbench.nb201_table import (
    DATASETS,
    EPOCHS,
    NasBench201Table,
    check_epochs,
    load_nb201_table,
    resolve_dataset,
)
from ecgnas.nasbench.tabular import TableResult, TabularBenchmark
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.nasbench201 import NasBench201Space

MODE = "nasbench201"
FULL_EPOCHS = EPOCHS[0]


class NasBench201Benchmark(TabularBenchmark):
    """NAS-Bench-201 results for one dataset at 200 epochs or the 12-epoch fidelity.

    The metric is the validation accuracy and the cost the 200-epoch training
    time on that dataset. At 12 epochs the cost is that time scaled by 12/200,
    an estimate (the table has no 12-epoch training time). An architecture's
    row is the row of its representative cell (see
    :mod:`ecgnas.spaces.nasbench201`); :meth:`query_string` returns the row of
    exactly the given cell.

    Args:
        dataset: ``cifar10``, ``cifar100`` or ``ImageNet16-120``.
        data_dir: Data directory whose ``nasbench/`` folder contains the tables.
        cache_dir: Cache directory.
        table: An already loaded table, to share it between datasets.
        space: An already built space, to share it between datasets.
    """

    def __init__(
        self,
        dataset: str = "cifar10",
        data_dir: str | os.PathLike | None = None,
        cache_dir: str | os.PathLike | None = None,
        table: NasBench201Table | None = None,
        space: NasBench201Space | None = None,
    ) -> None:
        self._dataset = resolve_dataset(dataset)
        self._table = table if table is not None else load_nb201_table(data_dir, cache_dir)
        self._space = space if space is not None else NasBench201Space(cache_dir)
        self._row_of_class = self._table.row_of_cell[self._space.representative_cell_indices()]
        column = self._table.column
        self._valid = {epochs: column(self._dataset, f"valid_acc_{epochs}") for epochs in EPOCHS}
        self._test = {epochs: column(self._dataset, f"test_acc_{epochs}") for epochs in EPOCHS}
        self._time = column(self._dataset, "train_time_s")
        self._params = column(self._dataset, "params_m")

    @property
    def mode(self) -> str:
        return MODE

    @property
    def dataset(self) -> str:
        """Dataset of the results."""
        return self._dataset

    @property
    def space(self) -> NasBench201Space:
        return self._space

    @property
    def table(self) -> NasBench201Table:
        """The NAS-Bench-201 table."""
        return self._table

    @property
    def epochs(self) -> tuple[int, ...]:
        return EPOCHS

    def query(self, arch: Architecture, epochs: int | None = None) -> TableResult:
        row = int(self._row_of_class[self._space.class_index(arch)])
        return self.query_row(row, epochs)

    def query_string(self, text: str, epochs: int | None = None) -> TableResult:
        """Return the row of the cell written as an official arch string.

        Raises:
            ConfigError: The string is invalid, or ``epochs`` is not 200 or 12.
        """
        return self.query_row(self._table.row_of_string(text), epochs)

    def query_row(self, row: int, epochs: int | None = None) -> TableResult:
        """Return one table row (NAS-Bench-201 index ``row``) as a result."""
        budget = FULL_EPOCHS if epochs is None else check_epochs(epochs)
        return TableResult(
            metric=float(self._valid[budget][row]),
            test_metric=float(self._test[budget][row]),
            cost_s=float(self._time[row]) * (budget / FULL_EPOCHS),
            epochs=budget,
            params_m=float(self._params[row]),
            benchmark=f"{MODE}/{self._dataset}",
            key=str(self._table.arch_strings[row]),
            cost_is_estimate=budget != FULL_EPOCHS,
        )

    def summary(self) -> dict[str, Any]:
        optima: dict[str, Any] = {}
        for dataset in DATASETS:
            for epochs in EPOCHS:
                for split in ("valid", "test"):
                    values = self._table.column(dataset, f"{split}_acc_{epochs}")
                    best = int(np.argmax(values))
                    optima[f"{dataset}/{split}@{epochs}"] = {
                        "accuracy": float(values[best]),
                        "arch": str(self._table.arch_strings[best]),
                    }
        return {
            "mode": MODE,
            "dataset": self._dataset,
            "cells": nb201_cell.N_CELLS,
            "architectures": self._space.n_architectures,
            "datasets": list(DATASETS),
            "epochs": list(EPOCHS),
            "metric": "validation accuracy (%), mean over 2-3 runs",
            "test_metric": "test accuracy (%), mean over the runs",
            "cost": "training time of the 200 epochs (s); scaled by 12/200 at 12 epochs (estimate)",
            "optima": optima,
            "files": dict(self._table.source_sha256),
        }
