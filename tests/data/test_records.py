"""Clear errors for missing, truncated and inconsistent record files."""

import pytest

from ecgnas.data.records import list_records, read_record
from ecgnas.exceptions import RecordError


def test_missing_annotation_file(synthetic_data_dir):
    folder = synthetic_data_dir / "mitdb"
    (folder / "900.atr").unlink()
    with pytest.raises(RecordError, match=r"record 900: file .*900\.atr is missing"):
        read_record(folder, "900")


def test_missing_header_file(synthetic_data_dir):
    folder = synthetic_data_dir / "mitdb"
    (folder / "900.hea").unlink()
    with pytest.raises(RecordError, match=r"record 900: file .*900\.hea is missing"):
        read_record(folder, "900")


def test_truncated_signal_file(synthetic_data_dir):
    folder = synthetic_data_dir / "mitdb"
    data = (folder / "900.dat").read_bytes()
    (folder / "900.dat").write_bytes(data[: len(data) // 2])
    with pytest.raises(RecordError, match=r"record 900: signal file .*900\.dat is truncated: 10800 bytes"):
        read_record(folder, "900")


def test_unparsable_header(synthetic_data_dir):
    folder = synthetic_data_dir / "mitdb"
    (folder / "900.hea").write_text("this is not a header\n")
    with pytest.raises(RecordError, match=r"record 900: header .*900\.hea cannot be parsed"):
        read_record(folder, "900")


def test_corrupt_annotation_file(synthetic_data_dir):
    folder = synthetic_data_dir / "mitdb"
    (folder / "900.atr").write_bytes(b"\x01")
    with pytest.raises(RecordError, match=r"record 900: annotation file .*900\.atr cannot be read"):
        read_record(folder, "900")


def test_list_records_from_headers(synthetic_data_dir):
    assert list_records(synthetic_data_dir / "mitdb") == ["900"]


def test_list_records_real(mitdb_dir):
    assert len(list_records(mitdb_dir)) == 48
