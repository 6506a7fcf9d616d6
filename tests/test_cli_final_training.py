"""Final-training options of the CLI: --class-weight-power for search, baseline and retrain, and --top-k."""

import argparse

import pytest

from ecgnas.cli.main import build_parser, main
from ecgnas.cli.retrain_commands import final_changes
from ecgnas.cli.search_commands import configure


def test_search_power_final_training_only():
    args = build_parser().parse_args(["search", "--preset", "quick", "--class-weight-power", "0.5"])
    config = configure(args)
    assert config.final_training.class_weight_power == 0.5
    assert config.search_training.class_weight_power == 1.0


def test_search_top_k_sets_retrained_count():
    config = configure(build_parser().parse_args(["search", "--preset", "quick", "--top-k", "1"]))
    assert config.final_top_k == 1
    assert configure(build_parser().parse_args(["search", "--preset", "quick"])).final_top_k == 2


def test_search_default_power_is_one():
    config = configure(build_parser().parse_args(["search", "--preset", "quick"]))
    assert config.final_training.class_weight_power == 1.0


def test_baseline_power(monkeypatch, tmp_path):
    seen = {}

    def record(name, config, *rest):
        seen["config"] = config

    monkeypatch.setattr("ecgnas.pipelines.baseline.run_baseline", record)
    args = ["baseline", "acharya2017", "--class-weight-power", "0", "--run-dir", str(tmp_path / "run")]
    assert main(args) == 0
    assert seen["config"].final_training.class_weight_power == 0.0


def test_retrain_power_change():
    args = argparse.Namespace(
        final_epochs=None,
        top_k=None,
        final_seeds=None,
        augment=False,
        class_weight_power=0.5,
        device=None,
        threads=None,
    )
    changes, training = final_changes(args)
    assert changes == {}
    assert training == {"class_weight_power": 0.5}


@pytest.mark.parametrize("value", ["-1", "nan", "half"])
def test_bad_power_rejected(value, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["search", "--class-weight-power", value])
    assert (
        f"argument --class-weight-power: '{value}' is not a finite number of 0 or more"
        in capsys.readouterr().err
    )
