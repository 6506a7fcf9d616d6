"""Labelled NAS-Bench tables for measuring predictors.

Each table gives a space, every labelled cell with its metric, and a pool of
unlabelled cells of the same space for pre-training:

- ``nb201-cifar10``, ``nb201-cifar100``, ``nb201-imagenet16``: all 15,625
  NAS-Bench-201 cells with the mean 200-epoch validation accuracy (percent)
  of the dataset, which is the metric a search on the benchmark optimises. Cells become
  operation-node graphs with :func:`ecgnas.nasbench.nb201_cell.operation_graph`.
  The pre-training pool is drawn from the same 15,625 cells, without labels.
- ``nb101-subset20k``: the 20,001 NAS-Bench-101 cells of the public subset
  with their single-run 108-epoch validation accuracy. This is a 4.7 % subset
  of NAS-Bench-101, not the full benchmark. The pool is drawn from all 423,624
  cells of ``nb101_cells_all.npz``.

The spaces are the benchmark adapters :class:`ecgnas.spaces.nasbench201.NasBench201Space`
and :class:`ecgnas.spaces.nasbench101.NasBench101Space` (the full 423,624-cell
space), so their space hashes, and with them the cached pre-trained encoders,
are the ones a search on these benchmarks uses.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgnas.exceptions import ConfigError, DataNotFoundError
from ecgnas.nasbench.nb101_cells import load_nb101_cells
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace
from ecgnas.spaces.nasbench101 import NasBench101Space
from ecgnas.spaces.nasbench201 import NasBench201Space

NB201_DATASETS = {"nb201-cifar10": "cifar10", "nb201-cifar100": "cifar100", "nb201-imagenet16": "imagenet16"}
TABLES = (*NB201_DATASETS, "nb101-subset20k")
"""Names accepted by :func:`load_table`."""


@dataclass
class LabelledTable:
    """One benchmark table ready for predictor measurements.

    Attributes:
        name: One of :data:`TABLES`.
        space: The space of every cell.
        archs: Labelled cells, one per table row.
        metrics: Their metric, percent, shape ``(len(archs),)``.
        pool: Unlabelled cells of the space for pre-training.
        metric_name: What ``metrics`` holds, for reports.
    """

    name: str
    space: SearchSpace
    archs: list[Architecture]
    metrics: np.ndarray
    pool: list[Architecture]
    metric_name: str


def load_table(name: str, nasbench_dir: str | Path, pool_size: int = 10_000, seed: int = 0) -> LabelledTable:
    """Load a labelled table and draw its pre-training pool.

    Args:
        name: One of :data:`TABLES`.
        nasbench_dir: Folder holding the NAS-Bench files.
        pool_size: Unlabelled cells drawn (with replacement) for pre-training.
        seed: Seed of the pool draw.

    Raises:
        ConfigError: Unknown table name.
        DataNotFoundError: A file is missing.
    """
    folder = Path(nasbench_dir)
    rng = np.random.default_rng(seed)
    if name in NB201_DATASETS:
        space201 = NasBench201Space()
        rows = _read_csv(folder / "nb201_200ep.csv.gz", ["op_codes", f"{NB201_DATASETS[name]}_valid_acc"])
        archs = [space201.architecture_of(_codes(text)) for text in rows["op_codes"]]
        metrics = np.asarray(rows[f"{NB201_DATASETS[name]}_valid_acc"], dtype=np.float64)
        pool = [space201.sample(rng) for _ in range(pool_size)]
        return LabelledTable(name, space201, archs, metrics, pool, "200-epoch validation accuracy (%)")
    if name == "nb101-subset20k":
        space101 = NasBench101Space(load_nb101_cells(folder.parent))
        rows = _read_csv(
            folder / "nb101_subset20k_valid.csv.gz", ["num_vertices", "adj_upper21", "ops", "valid_acc_108ep"]
        )
        archs = [
            _nb101_arch(int(n), [int(c) for c in upper], ops.split(","))
            for n, upper, ops in zip(rows["num_vertices"], rows["adj_upper21"], rows["ops"], strict=True)
        ]
        metrics = np.asarray(rows["valid_acc_108ep"], dtype=np.float64)
        pool = [space101.sample(rng) for _ in range(pool_size)]
        metric = "108-epoch validation accuracy (%), one run"
        return LabelledTable(name, space101, archs, metrics, pool, metric)
    raise ConfigError(f"benchmark table {name!r} is unknown; allowed values: {list(TABLES)}")


def _read_csv(path: Path, columns: list[str]) -> dict[str, list[str]]:
    if not path.is_file():
        raise DataNotFoundError(
            f"NAS-Bench file {path} not found; set --data-dir to the folder above nasbench/"
        )
    with gzip.open(path, "rt", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = sorted(set(columns) - set(reader.fieldnames or ()))
        if missing:
            raise DataNotFoundError(f"{path} lacks columns {missing}; replace it with an intact copy")
        result: dict[str, list[str]] = {column: [] for column in columns}
        for row in reader:
            for column in columns:
                result[column].append(row[column])
    return result


def _codes(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-"))


def _nb101_arch(n: int, upper: list[int], operations: list[str]) -> Architecture:
    # The 21 entries are the upper triangle of a 7 x 7 matrix, row by row.
    full = np.zeros((7, 7), dtype=np.int64)
    full[np.triu_indices(7, k=1)] = upper
    return Architecture(full[:n, :n], operations[:n])
