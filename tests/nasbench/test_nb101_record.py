"""Tests of the NAS-Bench-101 results reader on a small file in the official format.

The test writes the file itself: TFRecord framing around JSON rows whose
metrics are ``ModelMetrics`` messages serialised by the protobuf library from
the message definition that NAS-Bench-101 publishes.
"""

import base64
import json
import struct

import numpy as np
import pytest

from ecgnas.exceptions import ConfigError, DataNotFoundError
from ecgnas.nasbench import nb101_record
from ecgnas.nasbench.errors import BenchmarkFileError, NotInBenchmarkError
from ecgnas.nasbench.nb101_benchmark import NasBench101FullBenchmark
from ecgnas.nasbench.nb101_record import load_nb101_results, parse_model_metrics
from ecgnas.nasbench.tfrecord import crc32c, frame_record, read_records

protobuf = pytest.importorskip("google.protobuf")
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402


def model_metrics_class():
    """Build the ModelMetrics message class from the NAS-Bench-101 definition."""
    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(
        name="nb101_test_metrics.proto", package="nbtest", syntax="proto2"
    )
    evaluation = proto.message_type.add(name="EvaluationData")
    names = ["current_epoch", "training_time", "train_accuracy", "validation_accuracy", "test_accuracy"]
    for number, name in enumerate(names, start=1):
        evaluation.field.add(name=name, number=number, type=field.TYPE_DOUBLE, label=field.LABEL_OPTIONAL)
    evaluation.field.add(name="checkpoint_path", number=6, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    metrics = proto.message_type.add(name="ModelMetrics")
    metrics.field.add(
        name="evaluation_data",
        number=1,
        type=field.TYPE_MESSAGE,
        label=field.LABEL_REPEATED,
        type_name=".nbtest.EvaluationData",
    )
    metrics.field.add(
        name="trainable_parameters", number=2, type=field.TYPE_INT32, label=field.LABEL_OPTIONAL
    )
    metrics.field.add(name="total_time", number=3, type=field.TYPE_DOUBLE, label=field.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("nbtest.ModelMetrics"))


ModelMetrics = model_metrics_class()


def metrics_blob(params, final):
    """Serialise metrics with a start, halfway and final evaluation; ``final`` is (time, valid, test)."""
    message = ModelMetrics(trainable_parameters=params, total_time=final[0] + 60.0)
    message.evaluation_data.add(
        current_epoch=0.0, training_time=0.0, validation_accuracy=0.1, test_accuracy=0.1
    )
    message.evaluation_data.add(
        current_epoch=54.0,
        training_time=final[0] / 2,
        validation_accuracy=0.5,
        test_accuracy=0.5,
        checkpoint_path="/tmp/model.ckpt-1",
    )
    message.evaluation_data.add(
        current_epoch=108.0,
        training_time=final[0],
        train_accuracy=1.0,
        validation_accuracy=final[1],
        test_accuracy=final[2],
    )
    return message.SerializeToString()


def official_row(module_hash, matrix, operations, params, final, epochs=108):
    adjacency = "".join(str(int(value)) for value in np.asarray(matrix).ravel())
    blob = base64.b64encode(metrics_blob(params, final)).decode("ascii")
    return json.dumps([module_hash, epochs, adjacency, ",".join(operations), blob]).encode("utf-8")


# Three runs of each of three real cells (rows 0, 1000 and 2000 of the cell table).
RUNS = {
    0: [(1500.0, 0.90, 0.89), (1510.0, 0.91, 0.90), (1490.0, 0.92, 0.88)],
    1000: [(800.0, 0.80, 0.81), (820.0, 0.82, 0.80), (810.0, 0.81, 0.79)],
    2000: [(2000.0, 0.93, 0.92), (2100.0, 0.94, 0.93), (2050.0, 0.95, 0.94)],
}


@pytest.fixture
def record_file(tmp_path, nb101_cells):
    path = tmp_path / "nasbench_only108.tfrecord"
    with open(path, "wb") as handle:
        for row, runs in RUNS.items():
            matrix, operations = nb101_cells.cell(row)
            for run in runs:
                data = official_row(nb101_cells.hash_of(row), matrix, operations, 1_000_000 + row, run)
                handle.write(frame_record(data))
    return path


def test_crc32c_check_value():
    # The standard CRC-32C check value of the ASCII digits 1-9.
    assert crc32c(b"123456789") == 0xE3069283


def test_parse_model_metrics_takes_final_evaluation():
    run = parse_model_metrics(metrics_blob(1234, (1500.0, 0.91, 0.9)))
    assert (run.params, run.training_time_s, run.validation_accuracy, run.test_accuracy) == (
        1234,
        1500.0,
        0.91,
        0.9,
    )


def test_parse_model_metrics_rejects_garbage():
    with pytest.raises(ValueError, match="message ends"):
        parse_model_metrics(b"\x0a\xff\x01")


def test_means_over_runs(record_file, nb101_cells, tmp_path):
    results = load_nb101_results(record_file, tmp_path / "cache")
    row = results.row_of(nb101_cells.hash_of(1000))
    assert results.valid_accuracy[row, 0] == pytest.approx(81.0)
    assert results.test_accuracy[row, 0] == pytest.approx(80.0)
    assert results.train_time_s[row, 0] == pytest.approx(810.0)
    assert results.runs[row, 0] == 3
    assert results.params[row] == 1_001_000


def test_epochs_read(record_file, tmp_path):
    assert load_nb101_results(record_file, tmp_path / "cache").epochs == (108,)


def test_results_cached(record_file, tmp_path, monkeypatch):
    load_nb101_results(record_file, tmp_path / "cache")

    def fail(*_args, **_kwargs):
        raise AssertionError("the TFRecord file was read again")

    monkeypatch.setattr(nb101_record, "read_records", fail)
    assert len(load_nb101_results(record_file, tmp_path / "cache")) == 3


def test_full_benchmark_query(record_file, tmp_path, data_dir, nb101_cells):
    benchmark = NasBench101FullBenchmark(record_file, data_dir, tmp_path / "cache", cells=nb101_cells)
    arch = benchmark.space.architecture_of_row(2000)
    result = benchmark.query(arch)
    assert result.metric == pytest.approx(94.0)
    assert result.test_metric == pytest.approx(93.0)
    assert result.cost_s == pytest.approx(2050.0)
    assert result.benchmark == "nasbench101-full"


def test_full_benchmark_missing_cell(record_file, tmp_path, data_dir, nb101_cells):
    benchmark = NasBench101FullBenchmark(record_file, data_dir, tmp_path / "cache", cells=nb101_cells)
    with pytest.raises(NotInBenchmarkError, match=nb101_cells.hash_of(5)):
        benchmark.query(benchmark.space.architecture_of_row(5))


def test_full_benchmark_bad_epochs(record_file, tmp_path, data_dir, nb101_cells):
    benchmark = NasBench101FullBenchmark(record_file, data_dir, tmp_path / "cache", cells=nb101_cells)
    with pytest.raises(ConfigError, match=r"valid values: \[108\]"):
        benchmark.query(benchmark.space.architecture_of_row(0), epochs=36)


def test_missing_file(tmp_path):
    with pytest.raises(DataNotFoundError, match="nasbench_only108.tfrecord"):
        load_nb101_results(tmp_path / "nasbench_only108.tfrecord", tmp_path / "cache")


def test_truncated_file(record_file, tmp_path):
    record_file.write_bytes(record_file.read_bytes()[:-10])
    with pytest.raises(BenchmarkFileError, match="record 8 .* ends inside a record"):
        load_nb101_results(record_file, tmp_path / "cache")


def test_corrupt_length(record_file, tmp_path):
    data = bytearray(record_file.read_bytes())
    data[0] ^= 0x01
    record_file.write_bytes(bytes(data))
    with pytest.raises(BenchmarkFileError, match="record 0 .* length field fails"):
        load_nb101_results(record_file, tmp_path / "cache")


def test_corrupt_data_found_by_crc(record_file):
    data = bytearray(record_file.read_bytes())
    data[40] ^= 0x01
    record_file.write_bytes(bytes(data))
    with pytest.raises(BenchmarkFileError, match="record 0 .* data fails"):
        list(read_records(record_file, verify_data=True))


def test_undecodable_row(tmp_path):
    path = tmp_path / "bad.tfrecord"
    path.write_bytes(frame_record(b'["abc", 108]'))
    with pytest.raises(BenchmarkFileError, match="record 0 .* does not decode"):
        load_nb101_results(path, tmp_path / "cache")


def test_frame_layout():
    framed = frame_record(b"xyz")
    assert struct.unpack("<Q", framed[:8])[0] == 3
    assert framed[12:15] == b"xyz"
