"""--augment switches on the final training's perturbations, for searches and baselines."""

import pytest

from ecgnas.cli.main import build_parser, main
from ecgnas.cli.search_commands import configure


@pytest.mark.parametrize("preset", ["smoke", "quick", "full"])
def test_presets_do_not_augment(preset):
    config = configure(build_parser().parse_args(["search", "--preset", preset]))
    assert not config.final_training.augments
    assert not config.search_training.augments


def test_search_augment_final_training_only():
    args = build_parser().parse_args(["search", "--preset", "quick", "--augment", "--threads", "1"])
    config = configure(args)
    assert config.final_training.augment_scale == 0.2
    assert config.final_training.augment_shift == 6
    assert not config.search_training.augments
    assert config.final_training.max_threads == 1
    assert config.final_training.epochs == 6


@pytest.mark.parametrize(("flags", "expected"), [([], False), (["--augment"], True)])
def test_baseline_augment(monkeypatch, tmp_path, flags, expected):
    seen = {}

    def record(name, config, *rest):
        seen["config"] = config

    monkeypatch.setattr("ecgnas.pipelines.baseline.run_baseline", record)
    args = ["baseline", "acharya2017", "--preset", "quick", "--run-dir", str(tmp_path / "run"), *flags]
    assert main(args) == 0
    assert seen["config"].final_training.augments is expected
