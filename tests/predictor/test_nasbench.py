"""The predictor on the real NAS-Bench-201 table, and the eval command end to end."""

import pytest

from ecgnas.cli.main import main
from ecgnas.predictor import GnnPredictor, pretrain_encoder, ranking_metrics
from ecgnas.predictor.benchmark_tables import load_table
from ecgnas.predictor.evaluation import split_indices
from tests.predictor.conftest import small_config


@pytest.fixture(scope="module")
def nb201(nasbench_dir):
    return load_table("nb201-cifar10", nasbench_dir, pool_size=500)


def test_nb201_cells_valid(nb201):
    assert len(nb201.archs) == 15_625
    assert all(nb201.space.is_valid(arch) for arch in nb201.archs[::50])


@pytest.mark.parametrize("pretrained", [False, True])
def test_ranks_nb201_far_above_chance(nb201, pretrained):
    train, test = split_indices(len(nb201.archs), 100, 1000, seed=0)
    config = small_config()
    encoder = None
    if pretrained:
        pool = nb201.pool
        encoder = pretrain_encoder(nb201.space, config.encoder, config.pretrain, device="cpu", archs=pool)
    else:
        config = config.replace(pretrain=None)
    predictor = GnnPredictor(nb201.space, config, encoder=encoder)
    predictor.fit([(nb201.archs[i], float(nb201.metrics[i])) for i in train])
    scores = predictor.score([nb201.archs[i] for i in test])
    # Under random scores tau has a standard deviation of about 0.02 for 1,000 cells.
    assert ranking_metrics(scores, nb201.metrics[test]).kendall_tau > 0.4


def test_eval_command_writes_report(nasbench_dir, tmp_path):
    report, results = tmp_path / "predictor.md", tmp_path / "rows.csv"
    status = main(
        [
            "predictor", "eval", "--tables", "nb201-cifar10", "--variants", "dual-contrastive,path-mlp",
            "--sizes", "20", "--seeds", "2", "--n-test", "200", "--pool-size", "200",
            "--pretrain-epochs", "1", "--finetune-epochs", "5", "--data-dir", str(nasbench_dir.parent),
            "--cache-dir", str(tmp_path / "encoders"), "--results", str(results), "--report", str(report),
            "--scatter", "dual-contrastive:20",
        ]
    )  # fmt: skip
    assert status == 0
    text = report.read_text()
    assert "| dual-contrastive | 20 | 2 |" in text
    assert "ecgnas predictor eval" in text
    assert (tmp_path / "predictor-scatter-nb201-cifar10.png").is_file()
    assert len(results.read_text().splitlines()) == 1 + 2 * 2


def test_eval_command_rejects_unknown_table(tmp_path, capsys):
    status = main(["predictor", "eval", "--tables", "nb999", "--results", str(tmp_path / "r.csv")])
    assert status == 1
    assert "unknown tables" in capsys.readouterr().err


def test_report_command_needs_results(tmp_path, capsys):
    status = main(["predictor", "report", "--results", str(tmp_path / "absent.csv")])
    assert status == 1
    assert "not found" in capsys.readouterr().err
