"""Size limits of a search: counting, accepting, bad limits, and a limited search on the real records."""

import json

import numpy as np
import pytest

from ecgnas.cli.main import main
from ecgnas.cli.options import parse_count
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import EcgSearchConfig
from ecgnas.pipelines.ecg_search import config_from_dict
from ecgnas.pipelines.size_limit import SizeLimit, describe_limit
from ecgnas.spaces.catalog import load_space
from ecgnas.spaces.cost import count_macs, count_parameters
from ecgnas.spaces.model import build_model
from tests.pipelines.smoke_search import data_args


@pytest.fixture(scope="module")
def tiny():
    return load_space("ecg1d-tiny")


def test_size_counts_the_built_network(tiny):
    arch = tiny.sample(4)
    model = build_model(arch, tiny, rr_features=5)
    size = SizeLimit(tiny, 5, None, 10**9).size(arch)
    assert size.parameters == count_parameters(model)
    assert size.macs == count_macs(model, tiny.model_input.samples, 5)
    # Without a MAC bound the forward pass that counts them is skipped.
    assert SizeLimit(tiny, 5, 10**9, None).size(arch).macs is None


def test_limit_is_inclusive(tiny):
    arch = tiny.sample(4)
    size = SizeLimit(tiny, 9, None, 10**9).size(arch)
    assert SizeLimit(tiny, 9, size.parameters, None)(arch)
    assert not SizeLimit(tiny, 9, size.parameters - 1, None)(arch)
    assert SizeLimit(tiny, 9, None, size.macs)(arch)
    assert not SizeLimit(tiny, 9, size.parameters, size.macs - 1)(arch)


def test_limit_splits_the_space(tiny):
    rng = np.random.default_rng(0)
    archs = [tiny.sample(rng) for _ in range(40)]
    sizes = [SizeLimit(tiny, 9, 10**9, None).size(arch).parameters for arch in archs]
    median = int(np.median(sizes))
    limit = SizeLimit(tiny, 9, median, None)
    assert [limit(arch) for arch in archs] == [size <= median for size in sizes]
    limit.check_feasible(0)


def test_infeasible_limit_names_smallest(tiny):
    with pytest.raises(ConfigError) as error:
        SizeLimit(tiny, 9, 50, 1000).check_feasible(0)
    message = str(error.value)
    assert "no architecture of space 'ecg1d-tiny' is at most 50 parameters and 1,000 MACs per beat" in message
    assert "the smallest of 1000 random ones has" in message
    assert "raise the limit (--max-params, --max-macs)" in message


def test_limit_needs_a_bound(tiny):
    with pytest.raises(ConfigError, match="invalid size limit: give max_parameters, max_macs or both"):
        SizeLimit(tiny, 9, None, None)


def test_describe_limit():
    assert describe_limit(57349, None) == "at most 57,349 parameters"
    assert describe_limit(None, 5_000_000) == "at most 5,000,000 MACs per beat"
    assert describe_limit(1000, 2000) == "at most 1,000 parameters and 2,000 MACs per beat"
    assert describe_limit(None, None) == ""


@pytest.mark.parametrize("field", ["max_parameters", "max_macs"])
@pytest.mark.parametrize("value", [0, -5, 2.5, True])
def test_config_rejects_bad_limit(field, value):
    with pytest.raises(ConfigError, match=f"{field} must be a positive integer or None"):
        EcgSearchConfig(**{field: value})


def test_fingerprint_unchanged_without_limit():
    # Checkpoints written before size limits existed must still resume, and a limit
    # changes which candidates a search trains, so it must change the fingerprint.
    plain = EcgSearchConfig()
    stored = plain.to_dict()
    del stored["max_parameters"], stored["max_macs"]
    assert config_from_dict(stored).fingerprint() == plain.fingerprint()
    limited = EcgSearchConfig(max_parameters=60_000)
    assert limited.fingerprint() != plain.fingerprint()
    assert EcgSearchConfig(max_macs=60_000).fingerprint() not in {plain.fingerprint(), limited.fingerprint()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("57349", 57349),
        ("60k", 60_000),
        ("1.5M", 1_500_000),
        ("57,349", 57349),
        ("32.2k", 32_200),
        ("4.1M", 4_100_000),
    ],
)
def test_parse_count(text, expected):
    assert parse_count("--max-params", text) == expected


@pytest.mark.parametrize("text", ["0", "-3", "1.5", "abc", "2x", "", "inf", "nan", "0x10", "1.0005k"])
def test_parse_count_rejects(text):
    with pytest.raises(ConfigError, match=f"--max-params {text!r} is not a positive whole number"):
        parse_count("--max-params", text)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--max-params", "0"], "--max-params '0' is not a positive whole number"),
        (["--max-macs", "ten"], "--max-macs 'ten' is not a positive whole number"),
        (["--max-params", "40"], "no architecture of space 'ecg1d-tiny' is at most 40 parameters"),
    ],
)
def test_bad_limit_leaves_no_run_dir(arguments, message, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["search", "--preset", "smoke", *arguments, "--run-dir", str(run_dir)]) == 1
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error
    assert not run_dir.exists()


def test_resume_rejects_new_limit(tmp_path, capsys):
    arguments = ["search", "--resume", str(tmp_path), "--max-params", "800", "--threads", "1"]
    assert main(arguments) == 1
    error = capsys.readouterr().err
    assert f"--resume continues the search in {tmp_path} with its stored configuration" in error
    assert "so it takes no --max-params, --threads; remove them" in error


def test_limited_search_on_real_records(tmp_path, mitdb_dir, session_cache_dir, capsys):
    # Five candidates: three random ones, then two from the predictor-guided evolution.
    run_dir = tmp_path / "run"
    arguments = ["search", "--preset", "smoke", "--max-evals", "5", "--max-params", "2500", "--seed", "4"]
    assert main([*arguments, "--run-dir", str(run_dir), *data_args(mitdb_dir, session_cache_dir)]) == 0
    results = json.loads((run_dir / "checkpoint.json").read_text())["results"]
    assert len(results) == 5
    assert all(result["info"]["parameters"] <= 2500 for result in results)
    assert "- Candidates limited to at most 2,500 parameters" in (run_dir / "report.md").read_text()
    log = capsys.readouterr().err
    assert "Candidates are limited to at most 2,500 parameters" in log
    assert "The size limit turned down" in log
    state = json.loads((run_dir / "run.json").read_text())
    assert state["config"]["max_parameters"] == 2500

    # A comparison names the limit, so that a limited search is not read as an unlimited one.
    report = tmp_path / "comparison.md"
    assert main(["compare", str(run_dir), "--out", str(report)]) == 0
    assert "| searched (dcl), at most 2,500 parameters |" in report.read_text()
