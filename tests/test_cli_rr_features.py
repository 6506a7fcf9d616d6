"""``--rr-features`` and ``ecgnas data features``: the RR features a user gives the models."""

import json

import pytest

from ecgnas.cli.main import build_parser, main
from ecgnas.cli.search_commands import configure
from ecgnas.data.rr import RELATIVE_RR_FEATURES, RR_FEATURES
from ecgnas.data.splits import split_records
from tests.pipelines.smoke_search import data_args

CHOSEN = ("rr_previous_local_ratio", "rr_next_previous_ratio")


def test_data_features_lists_every_feature(capsys):
    assert main(["data", "features"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = {line[2:].split()[0]: line[0] for line in lines[1:]}
    assert list(listed) == list(RR_FEATURES)
    assert {name for name, mark in listed.items() if mark == "*"} == set(RELATIVE_RR_FEATURES)
    assert all(len(line) <= 100 for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, RR_FEATURES), ("relative", RELATIVE_RR_FEATURES), (",".join(CHOSEN), CHOSEN)],
)
def test_search_option_sets_features(text, expected):
    extra = [] if text is None else ["--rr-features", text]
    config = configure(build_parser().parse_args(["search", "--preset", "quick", *extra]))
    assert config.rr_features == expected
    assert config.preprocess.rr_features == expected


@pytest.mark.parametrize("command", [["search"], ["baseline", "acharya2017"]])
def test_unknown_feature_is_a_usage_error(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--rr-features", "rr_previous_ratio,heart_rate"])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "argument --rr-features: RR features ['heart_rate'] are unknown; give relative or all" in error


def test_chosen_features_reach_export_and_predict(tmp_path, mitdb_dir, session_cache_dir, capsys):
    run_dir = tmp_path / "acharya"
    data = data_args(mitdb_dir, session_cache_dir)
    arguments = ["baseline", "acharya2017", "--preset", "smoke", "--rr-features", ",".join(CHOSEN)]
    assert main([*arguments, "--run-dir", str(run_dir), *data]) == 0
    saved = json.loads((run_dir / "model" / "model.json").read_text())
    assert tuple(saved["rr_features"]) == CHOSEN
    assert tuple(saved["preprocess"]["rr_features"]) == CHOSEN

    report = tmp_path / "comparison.md"
    assert main(["compare", str(run_dir), "--out", str(report)]) == 0
    text = report.read_text()
    assert f"acharya2017, RR features {','.join(CHOSEN)}" in text
    assert (
        "Every model was given the RR features `rr_previous_local_ratio`, `rr_next_previous_ratio`." in text
    )

    # The parity beats are prepared with the model's two features, not the default five.
    export_dir = tmp_path / "export"
    assert main(["export", str(run_dir), "--out", str(export_dir), *data]) == 0
    description = json.loads((export_dir / "ecgnas-model.json").read_text())
    assert [feature["name"] for feature in description["rr_features"]] == list(CHOSEN)
    # The ratios are defined through intervals that the model itself is not given.
    intervals = [interval["name"] for interval in description["rr_intervals"]]
    assert intervals == ["rr_previous_s", "rr_next_s", "rr_local_s", "rr_record_mean_s"]
    assert description["parity"]["onnx_max_abs_diff"] <= 1e-4

    record = split_records("DS2")[1]
    out = tmp_path / "predictions"
    assert main(["predict", "--model", str(export_dir), str(mitdb_dir / record), "--out-dir", str(out)]) == 0
    assert len((out / f"{record}-beats.csv").read_text().splitlines()) > 1000
