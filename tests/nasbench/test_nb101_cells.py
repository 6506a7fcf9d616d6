"""Tests of the NAS-Bench-101 cell table and of its hash check."""

import numpy as np
import pytest

from ecgnas.exceptions import DataNotFoundError
from ecgnas.nasbench import nb101_hash
from ecgnas.nasbench.errors import BenchmarkFileError, NotInBenchmarkError
from ecgnas.nasbench.nb101_cells import NasBench101Cells, hash_bytes, load_nb101_cells
from ecgnas.spaces.architecture import Architecture

# Every 40th row: 10,591 cells spread over the hash order. The benchmark script
# and `ecgnas bench verify-hashes` check all 423,624.
SAMPLE_STEP = 40


def test_cell_count(nb101_cells):
    assert len(nb101_cells) == 423_624


def test_hashes_unique(nb101_cells):
    assert len(np.unique(nb101_cells.hashes, axis=0)) == 423_624


def test_find_every_sampled_row(nb101_cells):
    for row in range(0, len(nb101_cells), 4_001):
        assert nb101_cells.find(nb101_cells.hash_of(row)) == row


def test_find_absent_hash(nb101_cells):
    assert nb101_cells.find("0" * 32) is None


def test_row_of_absent_hash_explains(nb101_cells):
    with pytest.raises(NotInBenchmarkError, match="outside the space"):
        nb101_cells.row_of("f" * 32)


def test_hash_bytes_rejects_text():
    with pytest.raises(ValueError, match="32 hexadecimal"):
        hash_bytes("not-a-hash")


def test_sampled_hashes_match_stored(nb101_cells):
    check = nb101_hash.check_cell_hashes(nb101_cells, np.arange(0, len(nb101_cells), SAMPLE_STEP))
    assert check.checked == 10_591
    assert check.mismatched_rows == ()


def test_hash_check_reports_mismatch(nb101_cells):
    hashes = nb101_cells.hashes.copy()
    hashes[7] = hashes[8]
    altered = NasBench101Cells(hashes, nb101_cells.num_vertices, nb101_cells.adjacency, nb101_cells.ops)
    check = nb101_hash.check_cell_hashes(altered, np.arange(12))
    assert check.mismatched_rows == (7,)
    assert not check.ok


def test_hash_labels():
    operations = ["input", "maxpool3x3", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"]
    assert nb101_hash.hash_labels(operations) == [-1, 2, 0, 1, -2]


def test_hash_labels_reject_unknown_operation():
    with pytest.raises(ValueError, match="conv5x5"):
        nb101_hash.hash_labels(["input", "conv5x5", "output"])


def test_architecture_hash_prunes(nb101_cells, nb101_full_space):
    arch = nb101_full_space.architecture_of_row(1234)
    matrix = np.zeros((arch.n_nodes + 1, arch.n_nodes + 1), dtype=int)
    matrix[: arch.n_nodes - 1, : arch.n_nodes - 1] = arch.matrix[:-1, :-1]
    matrix[: arch.n_nodes - 1, -1] = arch.matrix[:-1, -1]
    matrix[0, arch.n_nodes - 1] = 1  # a dead-end node that pruning removes
    padded = Architecture(matrix, [*arch.operations[:-1], "maxpool3x3", "output"])
    assert nb101_hash.architecture_hash(padded) == nb101_cells.hash_of(1234)


# Bad files


@pytest.fixture(scope="module")
def raw_arrays(nasbench_dir):
    with np.load(nasbench_dir / "nb101_cells_all.npz", allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def write_cells(tmp_path, arrays):
    folder = tmp_path / "nasbench"
    folder.mkdir()
    np.savez(folder / "nb101_cells_all.npz", **arrays)
    return tmp_path


def edited(arrays, key, edit):
    copy = dict(arrays)
    copy[key] = arrays[key].copy()
    edit(copy[key])
    return copy


def set_item(index, value):
    def edit(array):
        array[index] = value

    return edit


@pytest.mark.parametrize(
    ("key", "edit", "message"),
    [
        ("adj_upper21", set_item((5, slice(None)), 1), "more than 9 edges"),
        ("ops", set_item((9, 0), 1), "first node that is not the input"),
        ("ops", set_item((9, 3), 4), "input or output labels"),
        ("hash_md5", lambda array: array.__setitem__(slice(None), array[::-1].copy()), "not sorted"),
    ],
)
def test_corrupt_cells_rejected(tmp_path, raw_arrays, key, edit, message):
    folder = write_cells(tmp_path, edited(raw_arrays, key, edit))
    with pytest.raises(BenchmarkFileError, match=message):
        load_nb101_cells(folder)


def test_dangling_node_rejected(tmp_path, raw_arrays):
    # Row 0 is a 7-node cell; dropping every edge out of node 1 leaves it off all paths.
    upper = raw_arrays["adj_upper21"].copy()
    assert raw_arrays["num_vertices"][0] == 7
    upper[0, 6:11] = 0
    folder = write_cells(tmp_path, {**raw_arrays, "adj_upper21": upper})
    with pytest.raises(BenchmarkFileError, match="row 0 .* off every input-to-output path"):
        load_nb101_cells(folder)


def test_truncated_table_rejected(tmp_path, raw_arrays):
    folder = write_cells(
        tmp_path,
        {
            key: value[:1000] if value.ndim and key != "ops_vocab" else value
            for key, value in raw_arrays.items()
        },
    )
    with pytest.raises(BenchmarkFileError, match="contains 1000 cells"):
        load_nb101_cells(folder)


def test_missing_array_rejected(tmp_path, raw_arrays):
    folder = write_cells(tmp_path, {key: value for key, value in raw_arrays.items() if key != "ops"})
    with pytest.raises(BenchmarkFileError, match=r"lacks the arrays \['ops'\]"):
        load_nb101_cells(folder)


def test_not_an_archive(tmp_path):
    (tmp_path / "nasbench").mkdir()
    (tmp_path / "nasbench" / "nb101_cells_all.npz").write_bytes(b"garbage")
    with pytest.raises(BenchmarkFileError, match="corrupt or truncated"):
        load_nb101_cells(tmp_path)


def test_missing_file(tmp_path):
    with pytest.raises(DataNotFoundError, match="nb101_cells_all.npz"):
        load_nb101_cells(tmp_path)
