"""Opening a NAS-Bench benchmark mode by name.

=====================  ==========  ==========================================  ==============
mode                   cells       metric                                      test accuracy
=====================  ==========  ==========================================  ==============
``nasbench201``        15,625      mean validation accuracy, 200 or 12 epochs  yes
``nasbench101-20k``    20,001      single-run validation accuracy, 108/36/12/4  **no**
``nasbench101-full``   423,624     mean validation accuracy, official file     yes
=====================  ==========  ==========================================  ==============
"""

from __future__ import annotations

import os

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench.tabular import TabularBenchmark

NASBENCH201 = "nasbench201"
NASBENCH101_20K = "nasbench101-20k"
NASBENCH101_FULL = "nasbench101-full"

MODES: tuple[str, ...] = (NASBENCH201, NASBENCH101_20K, NASBENCH101_FULL)
"""Benchmark mode names."""


def open_benchmark(
    mode: str,
    dataset: str | None = None,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    record: str | os.PathLike | None = None,
) -> TabularBenchmark:
    """Load a benchmark mode: its search space and the table that scores it.

    Args:
        mode: One of :data:`MODES`.
        dataset: For ``nasbench201``: ``cifar10`` (default), ``cifar100`` or
            ``ImageNet16-120``. The NAS-Bench-101 modes accept only ``cifar10``.
        data_dir: Data directory whose ``nasbench/`` folder contains the tables
            (default: ``$ECGNAS_DATA_DIR``, else ``./data``).
        cache_dir: Cache directory for the parsed tables.
        record: For ``nasbench101-full``: the official results file (default:
            ``DATA_DIR/nasbench/nasbench_only108.tfrecord``).

    Raises:
        ConfigError: Unknown mode or dataset, or ``record`` given for another mode.
        DataNotFoundError: A table file is missing.
        BenchmarkFileError: A table file is corrupt.
    """
    if mode not in MODES:
        raise ConfigError(f"unknown benchmark mode {mode!r}; valid modes: {list(MODES)}")
    if record is not None and mode != NASBENCH101_FULL:
        raise ConfigError(
            f"a results file is read only in mode {NASBENCH101_FULL!r}, not {mode!r}; "
            "drop it or change the mode"
        )
    if mode == NASBENCH201:
        from ecgnas.nasbench.nb201_benchmark import NasBench201Benchmark

        return NasBench201Benchmark(dataset or "cifar10", data_dir, cache_dir)

    from ecgnas.nasbench.nb101_benchmark import (
        NasBench101FullBenchmark,
        NasBench101SubsetBenchmark,
        check_cifar10,
    )

    check_cifar10(dataset, mode)
    if mode == NASBENCH101_20K:
        return NasBench101SubsetBenchmark(data_dir, cache_dir)
    return NasBench101FullBenchmark(record, data_dir, cache_dir)
