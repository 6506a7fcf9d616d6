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

The spaces are :class:`ecgnas.spaces.CellSpace` instances with each
benchmark's operations and limits; their path encodings stop at the longest
path the benchmark allows (3 operations in NAS-Bench-201, 5 in NAS-Bench-101).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgnas.exceptions import ConfigError, DataNotFoundError
from ecgnas.nasbench import nb201_cell
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.cell_space import CellSpace

NB201_DATASETS = {"nb201-cifar10": "cifar10", "nb201-cifar100": "cifar100", "nb201-imagenet16": "imagenet16"}
TABLES = (*NB201_DATASETS, "nb101-subset20k")
"""Names accepted by :func:`load_table`."""

NB101_OPERATIONS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


class _BenchmarkCellSpace(CellSpace):
    """A cell space whose longest input-to-output path is fixed by the benchmark."""

    def __init__(
        self, name: str, operations: Sequence[str], max_nodes: int, max_edges: int, path_length: int
    ):
        super().__init__(name, operations, max_nodes, max_edges)
        self._path_length = path_length

    @property
    def max_path_length(self) -> int:
        return self._path_length


def nb201_space() -> CellSpace:
    """NAS-Bench-201 as operation-node cells: up to 6 operation nodes and 10 edges, paths of up to 3."""
    return _BenchmarkCellSpace(
        "nasbench201-cells", nb201_cell.OPERATIONS, max_nodes=8, max_edges=10, path_length=3
    )


def nb101_space() -> CellSpace:
    """NAS-Bench-101: up to 7 nodes and 9 edges, paths of up to 5 operations."""
    return _BenchmarkCellSpace("nasbench101-cells", NB101_OPERATIONS, max_nodes=7, max_edges=9, path_length=5)


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
    space: CellSpace
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
        rows = _read_csv(folder / "nb201_200ep.csv.gz", ["op_codes", f"{NB201_DATASETS[name]}_valid_acc"])
        cells = {}
        archs = [_nb201_arch(text, cells) for text in rows["op_codes"]]
        metrics = np.asarray(rows[f"{NB201_DATASETS[name]}_valid_acc"], dtype=np.float64)
        pool = [archs[int(i)] for i in rng.integers(len(archs), size=pool_size)]
        return LabelledTable(name, nb201_space(), archs, metrics, pool, "200-epoch validation accuracy (%)")
    if name == "nb101-subset20k":
        rows = _read_csv(
            folder / "nb101_subset20k_valid.csv.gz", ["num_vertices", "adj_upper21", "ops", "valid_acc_108ep"]
        )
        archs = [
            _nb101_arch(int(n), [int(c) for c in upper], ops.split(","))
            for n, upper, ops in zip(rows["num_vertices"], rows["adj_upper21"], rows["ops"], strict=True)
        ]
        metrics = np.asarray(rows["valid_acc_108ep"], dtype=np.float64)
        pool = _nb101_pool(folder / "nb101_cells_all.npz", pool_size, rng)
        return LabelledTable(
            name, nb101_space(), archs, metrics, pool, "108-epoch validation accuracy (%), one run"
        )
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


def _nb201_arch(text: str, cells: dict[str, Architecture]) -> Architecture:
    if text not in cells:
        codes = tuple(int(part) for part in text.split("-"))
        matrix, labels = nb201_cell.operation_graph(codes)
        cells[text] = Architecture(matrix, labels)
    return cells[text]


def _nb101_arch(n: int, upper: list[int], operations: list[str]) -> Architecture:
    # The 21 entries are the upper triangle of a 7 x 7 matrix, row by row.
    full = np.zeros((7, 7), dtype=np.int64)
    full[np.triu_indices(7, k=1)] = upper
    return Architecture(full[:n, :n], operations[:n])


def _nb101_pool(path: Path, size: int, rng: np.random.Generator) -> list[Architecture]:
    if not path.is_file():
        raise DataNotFoundError(
            f"NAS-Bench-101 cell list {path} not found; set --data-dir to the folder above nasbench/"
        )
    with np.load(path, allow_pickle=False) as data:
        rows = rng.integers(len(data["num_vertices"]), size=size)
        vertices = data["num_vertices"][rows]
        uppers = data["adj_upper21"][rows]
        codes = data["ops"][rows]
        vocabulary = [str(name) for name in data["ops_vocab"]]
    return [
        _nb101_arch(int(n), upper.tolist(), [vocabulary[int(c)] for c in code[:n]])
        for n, upper, code in zip(vertices, uppers, codes, strict=True)
    ]
