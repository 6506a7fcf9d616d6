"""The official NAS-Bench-101 results file, read without TensorFlow.

``nasbench_only108.tfrecord`` (and the larger ``nasbench_full.tfrecord``) from
the NAS-Bench-101 release hold one TFRecord record per training run. Each
record is a JSON list ``[module_hash, epochs, adjacency, operations, metrics]``:
the adjacency as a string of ``n * n`` 0/1 characters, the operations joined by
commas, and ``metrics`` a base64-encoded ``ModelMetrics`` protocol buffer::

    message ModelMetrics {
      repeated EvaluationData evaluation_data = 1;  // start, halfway, end of training
      optional int32 trainable_parameters = 2;
      optional double total_time = 3;
    }
    message EvaluationData {
      optional double current_epoch = 1;
      optional double training_time = 2;         // seconds
      optional double train_accuracy = 3;        // fraction 0-1
      optional double validation_accuracy = 4;
      optional double test_accuracy = 5;
      optional string checkpoint_path = 6;
    }

Every cell was trained three times per epoch budget. This module averages the
end-of-training validation accuracy, test accuracy and training time over the
runs, converts accuracies to percent, and caches the result as ``.npz``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ecgnas.exceptions import ConfigError, DataNotFoundError
from ecgnas.nasbench import protobuf_wire
from ecgnas.nasbench.errors import BenchmarkFileError, NotInBenchmarkError
from ecgnas.nasbench.files import file_stamp
from ecgnas.nasbench.nb101_cells import find_row, hash_bytes, hash_keys
from ecgnas.nasbench.table_cache import Arrays, cache_file, load_or_build
from ecgnas.nasbench.tfrecord import read_records

logger = logging.getLogger(__name__)

CACHE_FORMAT_VERSION = 1

_EVALUATION_DATA, _TRAINABLE_PARAMETERS = 1, 2
_TRAINING_TIME, _VALIDATION_ACCURACY, _TEST_ACCURACY = 2, 4, 5


@dataclass(frozen=True)
class RunMetrics:
    """End-of-training metrics of one NAS-Bench-101 run.

    Attributes:
        params: Trainable parameters.
        training_time_s: Training time in seconds.
        validation_accuracy: Fraction 0-1.
        test_accuracy: Fraction 0-1.
    """

    params: int
    training_time_s: float
    validation_accuracy: float
    test_accuracy: float


def parse_model_metrics(blob: bytes) -> RunMetrics:
    """Decode a serialized ``ModelMetrics`` message and keep its last evaluation.

    The last ``EvaluationData`` entry is the one taken at the end of training
    (NAS-Bench-101 stores the start, the halfway point and the end).

    Raises:
        protobuf_wire.WireFormatError: The message is malformed or has no evaluation.
    """
    params = 0
    evaluations: list[bytes] = []
    for number, _, value in protobuf_wire.decode_fields(blob):
        if number == _EVALUATION_DATA and isinstance(value, bytes):
            evaluations.append(value)
        elif number == _TRAINABLE_PARAMETERS:
            params = protobuf_wire.as_int32(value)
    if not evaluations:
        raise protobuf_wire.WireFormatError("ModelMetrics has no evaluation_data")
    values = {_TRAINING_TIME: 0.0, _VALIDATION_ACCURACY: 0.0, _TEST_ACCURACY: 0.0}
    for number, _, value in protobuf_wire.decode_fields(evaluations[-1]):
        if number in values:
            values[number] = protobuf_wire.as_double(value)
    return RunMetrics(params, values[_TRAINING_TIME], values[_VALIDATION_ACCURACY], values[_TEST_ACCURACY])


def parse_row(data: bytes) -> tuple[str, int, RunMetrics]:
    """Decode one record into ``(module_hash, epochs, metrics)``.

    Raises:
        ValueError: The record is not the JSON list described in the module docstring.
    """
    row = json.loads(data.decode("utf-8"))
    if not isinstance(row, list) or len(row) != 5:
        raise ValueError("expected a JSON list [hash, epochs, adjacency, operations, metrics]")
    module_hash, epochs, _, _, metrics = row
    hash_bytes(str(module_hash))
    return str(module_hash), int(epochs), parse_model_metrics(base64.b64decode(metrics, validate=True))


@dataclass(frozen=True)
class NasBench101Results:
    """Mean results per cell and epoch budget from an official NAS-Bench-101 file.

    Attributes:
        hashes: Module hashes, uint8, shape ``(N, 16)``, sorted.
        epochs: Epoch budgets present in the file, ascending.
        valid_accuracy: Mean validation accuracy in percent, shape ``(N, len(epochs))``;
            NaN where a cell has no run at that budget.
        test_accuracy: Mean test accuracy in percent, same shape.
        train_time_s: Mean training time in seconds, same shape.
        runs: Number of runs behind each mean, same shape.
        params: Trainable parameters, shape ``(N,)``.
        source: The file the results were read from.
    """

    hashes: np.ndarray
    epochs: tuple[int, ...]
    valid_accuracy: np.ndarray
    test_accuracy: np.ndarray
    train_time_s: np.ndarray
    runs: np.ndarray
    params: np.ndarray
    source: Path
    keys: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", hash_keys(self.hashes))

    def __len__(self) -> int:
        return int(self.hashes.shape[0])

    def epoch_column(self, epochs: int) -> int:
        """Return the column of an epoch budget.

        Raises:
            ConfigError: The file has no runs at that budget; the message lists those it has.
        """
        if epochs not in self.epochs:
            raise ConfigError(
                f"{self.source.name} has no results at {epochs!r} epochs; valid values: {list(self.epochs)}"
            )
        return self.epochs.index(epochs)

    def find(self, module_hash: str) -> int | None:
        """Return the row of a 32-hex hash, or ``None`` if the file has no runs of that cell."""
        return find_row(self.hashes, self.keys, module_hash)

    def row_of(self, module_hash: str) -> int:
        """Return the row of a 32-hex hash.

        Raises:
            NotInBenchmarkError: The file has no runs of this cell.
        """
        row = self.find(module_hash)
        if row is None:
            raise NotInBenchmarkError(
                f"{self.source} has no results for the NAS-Bench-101 cell {module_hash}"
            )
        return row


def load_nb101_results(
    path: str | os.PathLike, cache_dir: str | os.PathLike | None = None, verify_crc: bool = False
) -> NasBench101Results:
    """Read an official NAS-Bench-101 TFRecord file, or its cached summary.

    Args:
        path: ``nasbench_only108.tfrecord`` or ``nasbench_full.tfrecord``.
        cache_dir: Cache directory (default: see :func:`ecgnas.data.locate.resolve_cache_dir`).
        verify_crc: Also verify the CRC-32C of every record's data (slow in pure Python).

    Raises:
        DataNotFoundError: The file is missing.
        BenchmarkFileError: A record is truncated, fails a checksum or does not decode.
    """
    source = Path(path).expanduser()
    if not source.is_file():
        raise DataNotFoundError(
            f"NAS-Bench-101 results file {source} not found; download nasbench_only108.tfrecord "
            "from the NAS-Bench-101 release (github.com/google-research/nasbench) and pass its "
            "path, or place it in DATA_DIR/nasbench/"
        )
    name = hashlib.sha256(str(source.resolve()).encode("utf-8")).hexdigest()[:16]
    stamp = f"nb101-record-v{CACHE_FORMAT_VERSION}|{file_stamp(source)}"
    arrays = load_or_build(
        cache_file(cache_dir, f"nb101_record_{name}"), stamp, lambda: _build(source, verify_crc)
    )
    return NasBench101Results(
        hashes=arrays["hashes"],
        epochs=tuple(int(value) for value in arrays["epochs"]),
        valid_accuracy=arrays["valid_accuracy"],
        test_accuracy=arrays["test_accuracy"],
        train_time_s=arrays["train_time_s"],
        runs=arrays["runs"],
        params=arrays["params"],
        source=source,
    )


def _build(source: Path, verify_crc: bool) -> Arrays:
    # hash -> epochs -> list of (validation, test, time); hash -> params
    runs: dict[str, dict[int, list[tuple[float, float, float]]]] = {}
    params: dict[str, int] = {}
    for index, data in enumerate(read_records(source, verify_data=verify_crc)):
        try:
            module_hash, epochs, metrics = parse_row(data)
        except (ValueError, UnicodeDecodeError, binascii.Error) as error:
            raise BenchmarkFileError(
                f"record {index} of {source} does not decode as a NAS-Bench-101 row ({error}); "
                "download the file again"
            ) from None
        per_epoch = runs.setdefault(module_hash, {})
        per_epoch.setdefault(epochs, []).append(
            (metrics.validation_accuracy, metrics.test_accuracy, metrics.training_time_s)
        )
        params.setdefault(module_hash, metrics.params)
    if not runs:
        raise BenchmarkFileError(f"{source} contains no records; download the file again")

    ordered = sorted(runs)
    epochs = sorted({budget for per_epoch in runs.values() for budget in per_epoch})
    shape = (len(ordered), len(epochs))
    valid, test, time_s = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    counts = np.zeros(shape, dtype=np.int64)
    for row, module_hash in enumerate(ordered):
        for column, budget in enumerate(epochs):
            values = runs[module_hash].get(budget)
            if not values:
                continue
            means = np.mean(np.array(values), axis=0)
            valid[row, column], test[row, column] = 100.0 * means[0], 100.0 * means[1]
            time_s[row, column] = means[2]
            counts[row, column] = len(values)
    logger.info("Read %d NAS-Bench-101 cells at epochs %s from %s", len(ordered), epochs, source)
    return {
        "hashes": np.stack([hash_bytes(module_hash) for module_hash in ordered]),
        "epochs": np.array(epochs, dtype=np.int64),
        "valid_accuracy": valid,
        "test_accuracy": test,
        "train_time_s": time_s,
        "runs": counts,
        "params": np.array([params[module_hash] for module_hash in ordered], dtype=np.int64),
    }
