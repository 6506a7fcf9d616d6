"""Locating the database, the download path and checksum checks, without any network."""

import pytest

from ecgnas.data import download
from ecgnas.data.download import ensure_mitdb, verify_checksums
from ecgnas.data.locate import resolve_cache_dir, resolve_data_dir
from ecgnas.exceptions import DataNotFoundError, DownloadError, RecordError


@pytest.fixture
def offline(monkeypatch):
    """Make every PhysioNet transfer fail as it does without a network."""
    calls = []

    def refuse(folder, files):
        calls.append(list(files))
        raise ConnectionError("Failed to resolve 'physionet.org'\nsecond line of detail")

    monkeypatch.setattr(download, "fetch_files", refuse)
    return calls


def test_data_dir_flag_before_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("ECGNAS_DATA_DIR", "/from/variable")
    assert resolve_data_dir(tmp_path) == tmp_path


def test_data_dir_variable_before_default(monkeypatch):
    monkeypatch.setenv("ECGNAS_DATA_DIR", "/from/variable")
    assert str(resolve_data_dir()) == "/from/variable"


def test_data_dir_default_in_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("ECGNAS_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir() == tmp_path / "data"


def test_cache_dir_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("ECGNAS_CACHE_DIR", str(tmp_path))
    assert resolve_cache_dir() == tmp_path


def test_no_records_without_download(tmp_path):
    with pytest.raises(DataNotFoundError, match=f"no MIT-BIH records .* in {tmp_path / 'mitdb'}"):
        ensure_mitdb(tmp_path, download=False)


def test_failed_download_gives_one_line(offline, tmp_path):
    with pytest.raises(DownloadError) as raised:
        ensure_mitdb(tmp_path, download=True)
    message = str(raised.value)
    assert "\n" not in message
    assert "could not download MIT-BIH from PhysioNet" in message
    assert "place its .hea, .dat and .atr files" in message
    assert str(tmp_path / "mitdb") in message
    assert offline, "the download was never attempted"


def test_download_requests_all_records(monkeypatch, tmp_path, mitdb_dir):
    # A fake transfer that copies from the real local copy, so nothing leaves the machine.
    requested = []

    def copy_local(folder, files):
        requested.extend(files)
        for name in files:
            (folder / name).write_bytes((mitdb_dir / name).read_bytes())

    monkeypatch.setattr(download, "fetch_files", copy_local)
    folder = ensure_mitdb(tmp_path, download=True)
    assert folder == tmp_path / "mitdb"
    assert len([name for name in requested if name.endswith(".dat")]) == 48
    assert "SHA256SUMS.txt" in requested
    assert verify_checksums(folder) == 146


def test_checksum_mismatch_names_file(tmp_path, mitdb_dir):
    folder = tmp_path / "mitdb"
    folder.mkdir()
    (folder / "SHA256SUMS.txt").write_bytes((mitdb_dir / "SHA256SUMS.txt").read_bytes())
    (folder / "100.hea").write_text("not the real header\n")
    with pytest.raises(RecordError, match="100.hea fails its SHA-256 check"):
        verify_checksums(folder)


def test_real_database_passes_checksums(mitdb_dir):
    assert verify_checksums(mitdb_dir) == 146
