"""Tests of the ``ecgnas space`` commands."""

from pathlib import Path

import pytest

from ecgnas.cli.main import main


def test_space_list(capsys):
    assert main(["space", "list"]) == 0
    assert "ecg1d" in capsys.readouterr().out


def test_space_show_ecg1d(capsys):
    assert main(["space", "show", "ecg1d", "--estimate-samples", "50"]) == 0
    output = capsys.readouterr().out
    assert "Possible paths: 177,156" in output
    assert "Distinct cells: about" in output
    assert "dilconv_k5_d2  conv (dilation=2, kernel_size=5)" in output


def test_space_show_fixed_macro_values(capsys, tmp_path):
    tiny = (Path(__file__).parents[1] / "searchspaces" / "ecg1d-tiny.yaml").read_text(encoding="utf-8")
    fixed = tiny.replace("stem: {kernel_size: 7}", "stem: {kernel_size: 7, width: 8}\n  input_pool: 6")
    fixed = fixed.replace("stem_width: [4, 8]", "")
    path = tmp_path / "fixed.yaml"
    path.write_text(fixed, encoding="utf-8")
    assert main(["space", "show", str(path), "--estimate-samples", "10"]) == 0
    output = capsys.readouterr().out
    assert "Macro: stem width 8, cells per stack 1, input average pool 6, stem kernel 7, 3 stacks" in output


def test_space_show_file(capsys, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "name: tiny\ncell:\n  max_nodes: 3\n  max_edges: 3\n  operations:\n    a: {type: identity}\n",
        encoding="utf-8",
    )
    assert main(["space", "show", str(path), "--estimate-samples", "10"]) == 0
    assert "Search space tiny" in capsys.readouterr().out


def test_space_sample_prints_costs(capsys):
    assert main(["space", "sample", "ecg1d", "--n", "2", "--seed", "0"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[2:]
    assert len(rows) == 2
    assert all(row.split()[2] != "-" for row in rows)


def test_space_sample_reproducible(capsys):
    main(["space", "sample", "nasbench101", "--n", "3", "--seed", "4"])
    first = capsys.readouterr().out
    main(["space", "sample", "nasbench101", "--n", "3", "--seed", "4"])
    assert capsys.readouterr().out == first


def test_space_sample_unknown_space(capsys):
    assert main(["space", "sample", "nope"]) == 1
    assert "unknown search space 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["space", "sample", "ecg1d", "--n", "0"], "--n is 0"),
        (["space", "show", "ecg1d", "--estimate-samples", "1"], "--estimate-samples is 1"),
    ],
)
def test_space_bad_counts(capsys, argv, message):
    assert main(argv) == 1
    assert message in capsys.readouterr().err
