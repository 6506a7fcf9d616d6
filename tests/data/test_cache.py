"""The beat cache: reuse, rebuild after corruption or a change, atomic writes."""

import shutil

import numpy as np
import pytest

from ecgnas.data.cache import cache_path, save_beats
from ecgnas.data.prepare import prepare_beats
from ecgnas.data.preprocess import PreprocessConfig
from ecgnas.exceptions import CacheError

RECORDS = ["100", "114"]


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "cache"


def prepare(mitdb_dir, cache_dir, config=None, records=RECORDS):
    return prepare_beats(records, config, data_dir=mitdb_dir.parent, cache_dir=cache_dir, progress=False)


def test_second_preparation_reads_cache(mitdb_dir, cache_dir):
    first = prepare(mitdb_dir, cache_dir)
    second = prepare(mitdb_dir, cache_dir)
    assert first.built_records == tuple(RECORDS)
    assert second.cached_records == tuple(RECORDS)
    assert second.built_records == ()
    np.testing.assert_array_equal(first.waveforms, second.waveforms)
    np.testing.assert_array_equal(first.rr, second.rr)
    np.testing.assert_array_equal(first.labels, second.labels)


def test_corrupt_cache_file_rebuilt(mitdb_dir, cache_dir):
    first = prepare(mitdb_dir, cache_dir)
    path = cache_path(cache_dir, PreprocessConfig().fingerprint(), "100")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    second = prepare(mitdb_dir, cache_dir)
    assert second.built_records == ("100",)
    np.testing.assert_array_equal(first.waveforms, second.waveforms)


def test_truncated_cache_file_rebuilt(mitdb_dir, cache_dir):
    prepare(mitdb_dir, cache_dir)
    path = cache_path(cache_dir, PreprocessConfig().fingerprint(), "114")
    path.write_bytes(path.read_bytes()[:1000])
    assert prepare(mitdb_dir, cache_dir).built_records == ("114",)


def test_config_change_rebuilds(mitdb_dir, cache_dir):
    prepare(mitdb_dir, cache_dir)
    changed = prepare(mitdb_dir, cache_dir, PreprocessConfig(window_after_s=0.5))
    assert changed.built_records == tuple(RECORDS)
    assert changed.window == 90 + 180


def test_changed_source_file_rebuilds(mitdb_dir, cache_dir, tmp_path):
    copy = tmp_path / "data" / "mitdb"
    copy.mkdir(parents=True)
    for suffix in (".hea", ".dat", ".atr"):
        shutil.copy(mitdb_dir / f"100{suffix}", copy / f"100{suffix}")
    prepare(copy, cache_dir, records=["100"])

    # Flip one byte of a sample: the header still matches, but the digest does not.
    data = bytearray((copy / "100.dat").read_bytes())
    data[300_000] ^= 0x01
    (copy / "100.dat").write_bytes(bytes(data))
    assert prepare(copy, cache_dir, records=["100"]).built_records == ("100",)


def test_stale_format_version_rebuilds(mitdb_dir, cache_dir, monkeypatch):
    prepare(mitdb_dir, cache_dir)
    monkeypatch.setattr("ecgnas.data.cache.CACHE_FORMAT_VERSION", 99)
    assert prepare(mitdb_dir, cache_dir).built_records == tuple(RECORDS)


def test_failed_write_leaves_no_file(mitdb_dir, cache_dir, monkeypatch):
    beats = prepare(mitdb_dir, cache_dir, records=["100"])
    path = cache_dir / "partial" / "100.npz"

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("numpy.savez", fail)
    from ecgnas.data.beats import RecordBeats

    record = RecordBeats(
        "100", beats.fs, beats.waveforms, beats.rr, beats.labels, beats.positions, beats.dropped["100"]
    )
    with pytest.raises(CacheError, match="cannot write the beat cache"):
        save_beats(path, record, "digest", "fingerprint")
    assert list(path.parent.iterdir()) == []
