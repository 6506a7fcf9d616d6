"""The ``ecgnas data`` commands, run as a user would."""

import os
import subprocess
import sys

import pytest

from ecgnas.cli.main import main
from ecgnas.data import download
from tests.data.conftest import write_synthetic_record


def test_summary_prints_real_counts(mitdb_dir, session_cache_dir, capsys):
    status = main(
        ["data", "summary", "--data-dir", str(mitdb_dir.parent), "--cache-dir", str(session_cache_dir)]
    )
    output = capsys.readouterr().out
    assert status == 0
    # The first table lists the kept beats; later rows with the same split name are dropped beats.
    lines = {}
    for line in output.splitlines():
        if line.strip():
            lines.setdefault(line.split()[0], line.split()[1:])
    # Kept beats of DS1: the annotations minus the 18 N and 1 F beats at record edges.
    assert lines["DS1"] == ["22", "45,848", "944", "3,788", "414", "8", "51,002"]
    assert lines["DS2"] == ["22", "44,240", "1,837", "3,220", "388", "7", "49,692"]
    assert "Beats dropped because their window crosses the record's edge" in output


def test_summary_without_records_fails_cleanly(tmp_path, capsys):
    status = main(["data", "summary", "--data-dir", str(tmp_path), "--no-download"])
    error = capsys.readouterr().err
    assert status == 1
    assert error.startswith("error: no MIT-BIH records")
    assert "Traceback" not in error


def test_summary_offline_download_fails_cleanly(tmp_path, capsys, monkeypatch):
    def refuse(folder, files):
        raise ConnectionError("Failed to resolve 'physionet.org'")

    monkeypatch.setattr(download, "fetch_files", refuse)
    status = main(["data", "summary", "--data-dir", str(tmp_path)])
    error = capsys.readouterr().err
    lines = error.strip().splitlines()
    assert status == 1
    assert "downloading them from PhysioNet" in lines[0]
    assert len(lines) == 2
    assert lines[1].startswith("error: could not download MIT-BIH from PhysioNet")


def test_missing_annotation_at_cli(tmp_path, capsys):
    folder = write_synthetic_record(tmp_path / "mitdb")
    (folder / "900.atr").unlink()
    status = main(["data", "plot", "900", "--data-dir", str(tmp_path), "-o", str(tmp_path / "x.png")])
    error = capsys.readouterr().err
    assert status == 1
    assert "900.atr is missing" in error


def test_plot_writes_png(mitdb_dir, tmp_path):
    output = tmp_path / "208.png"
    status = main(
        ["data", "plot", "208", "--start", "60", "--data-dir", str(mitdb_dir.parent), "-o", str(output)]
    )
    assert status == 0
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_bad_stretch_fails_cleanly(mitdb_dir, tmp_path, capsys):
    status = main(
        [
            "data",
            "plot",
            "100",
            "--start",
            "5000",
            "--data-dir",
            str(mitdb_dir.parent),
            "-o",
            str(tmp_path / "x.png"),
        ]
    )
    assert status == 1
    assert "lasts 1805.6 s" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name", ["MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK", "ORT_DISABLE_TELEMETRY", "RAY_USAGE_STATS_ENABLED"]
)
def test_cli_turns_telemetry_off(name):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "MLFLOW_DISABLE_TELEMETRY",
            "DO_NOT_TRACK",
            "ORT_DISABLE_TELEMETRY",
            "RAY_USAGE_STATS_ENABLED",
        }
    }
    code = f"import os, ecgnas.cli.main; print(os.environ.get({name!r}))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() in {"true", "1", "0"}


def test_cli_keeps_user_telemetry_choice():
    environment = dict(os.environ, DO_NOT_TRACK="false")
    code = "import os, ecgnas.cli.main; print(os.environ['DO_NOT_TRACK'])"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "false"
