"""write_atomic: the content, the file mode, and what a failed write leaves."""

import os
import stat

import pytest

from ecgnas.atomic import write_atomic


def test_writes_content(tmp_path):
    path = tmp_path / "sub" / "state.json"
    write_atomic(path, lambda handle: handle.write(b"{}"))
    assert path.read_bytes() == b"{}"


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="file modes are POSIX only")
def test_mode_follows_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "shared.json", lambda handle: handle.write(b"{}"))
        write_atomic(tmp_path / "shared.json", lambda handle: handle.write(b"[]"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "shared.json").stat().st_mode) == 0o644


def test_failed_write_keeps_old_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(b"old")

    def fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(path, fail)
    assert path.read_bytes() == b"old"
    assert [entry.name for entry in tmp_path.iterdir()] == ["state.json"]
