"""The NAS-Bench harness on the real NAS-Bench-201 table."""

import csv
import json

import numpy as np
import pytest

from ecgnas.cli.main import main
from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.nasbench_harness import HarnessConfig, finished_runs, run_once
from ecgnas.predictor.config import PredictorConfig, PretrainConfig
from ecgnas.search.predictor_evolution import EvolutionConfig


@pytest.fixture(scope="module")
def harness_config(nasbench_dir, session_cache_dir):
    # A smaller pre-training than the default keeps the encoder build under a minute.
    predictor = PredictorConfig(pretrain=PretrainConfig(n_archs=2000, epochs=5), device="cpu")
    return HarnessConfig(
        queries=50, predictor=predictor, data_dir=str(nasbench_dir.parent), cache_dir=str(session_cache_dir)
    )


def test_dcl_beats_random_search(harness_config):
    dcl = [run_once("dcl", seed, harness_config)[-1]["best_valid"] for seed in range(5)]
    random = [run_once("rs", seed, harness_config)[-1]["best_valid"] for seed in range(5)]
    assert np.mean(dcl) > np.mean(random)


def test_run_rows_per_query(harness_config):
    rows = run_once("rea", 0, harness_config)
    assert [row["queries"] for row in rows] == list(range(1, 51))
    best = [row["best_valid"] for row in rows]
    assert best == sorted(best)
    assert all(row["test_of_best"] > 0 for row in rows)


def test_bench_run_and_report(tmp_path, nasbench_dir, session_cache_dir):
    results, report = tmp_path / "results", tmp_path / "nasbench.md"
    arguments = [
        "bench",
        "run",
        "--bench",
        "nasbench201",
        "--dataset",
        "cifar100",
        "--queries",
        "25",
        "--runs",
        "3",
        "--methods",
        "rs,rea",
        "--workers",
        "2",
        "--results-dir",
        str(results),
        "--report",
        str(report),
        "--data-dir",
        str(nasbench_dir.parent),
        "--cache-dir",
        str(session_cache_dir),
    ]
    assert main(arguments) == 0
    with open(results / "nasbench201-cifar100-q25.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * 3 * 25
    text = report.read_text()
    assert "## nasbench201 / cifar100" in text
    assert "| rea | 3 |" in text
    assert (tmp_path / "nasbench-nasbench201-cifar100.png").is_file()

    # A second invocation finds every run done and only rewrites the report.
    assert main(arguments) == 0
    with open(results / "nasbench201-cifar100-q25.csv", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 2 * 3 * 25
    sidecar = json.loads((results / "nasbench201-cifar100-q25.json").read_text())
    assert sidecar["config"]["queries"] == 25
    assert len(sidecar["invocations"]) == 2
    assert sidecar["fingerprint"] == rows[0]["config"]


def test_results_of_other_settings_refused(tmp_path):
    config = HarnessConfig(queries=10)
    path = tmp_path / "results.csv"
    path.write_text(
        "bench,dataset,method,seed,queries,best_valid,test_of_best,seconds,config\n"
        f"nasbench201,cifar10,rs,0,1,90.0,93.0,0.1,{config.fingerprint()}\n"
    )
    assert finished_runs(path, config.fingerprint()) == {("rs", 0)}

    other = HarnessConfig(queries=10, evolution=EvolutionConfig(initial=5))
    assert other.fingerprint() != config.fingerprint()
    with pytest.raises(ConfigError, match="other settings.*--results-dir"):
        finished_runs(path, other.fingerprint())


def test_unknown_method_rejected(tmp_path, capsys):
    assert main(["bench", "run", "--methods", "magic", "--results-dir", str(tmp_path)]) == 1
    assert "method 'magic' is unknown" in capsys.readouterr().err
