"""Tests of NAS-Bench-201 arch strings, op codes and the operation-node conversion."""

import numpy as np
import pytest

from ecgnas.nasbench import nb201_cell
from ecgnas.spaces.architecture import Architecture

RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"


def test_parse_resnet_cell():
    assert nb201_cell.parse_arch_string(RESNET) == (3, 0, 3, 1, 0, 1)


def test_format_round_trip():
    codes = (4, 2, 1, 0, 3, 2)
    assert nb201_cell.parse_arch_string(nb201_cell.format_arch_string(codes)) == codes


def test_format_resnet_cell():
    assert nb201_cell.format_arch_string((3, 0, 3, 1, 0, 1)) == RESNET


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|", "3 '\\+'-separated"),
        ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown operation 'conv'"),
        ("|none~0|+|none~1|none~0|+|none~0|none~1|none~2|", "should come from node 0"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "needs 2 incoming edges"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end"),
    ],
)
def test_parse_rejects_malformed(text, reason):
    with pytest.raises(ValueError, match=reason):
        nb201_cell.parse_arch_string(text)


def test_cell_index_matches_all_codes():
    codes = nb201_cell.all_cell_codes()
    for index in (0, 1, 4, 5, 9776, 15624):
        assert nb201_cell.cell_index(tuple(codes[index])) == index


def test_all_codes_unique():
    assert len(np.unique(nb201_cell.all_cell_codes(), axis=0)) == 15_625


def test_live_codes_drop_edge_from_unreached_node():
    # Node 2 has no incoming edge, so the edge 2 -> 3 carries nothing.
    assert nb201_cell.live_codes((3, 0, 0, 0, 3, 3)) == (3, 0, 0, 0, 3, 0)


def test_live_codes_drop_dead_end():
    # Node 1 feeds nothing, so the edge 0 -> 1 is off every path.
    assert nb201_cell.live_codes((3, 0, 0, 1, 0, 0)) == (0, 0, 0, 1, 0, 0)


def test_resnet_graph():
    matrix, labels = nb201_cell.operation_graph(nb201_cell.parse_arch_string(RESNET))
    # input -> conv -> conv -> skip -> output beside input -> skip -> output, written
    # with the lone skip first.
    expected = Architecture(
        [
            [0, 1, 1, 0, 0, 0],
            [0, 0, 0, 0, 0, 1],
            [0, 0, 0, 1, 0, 0],
            [0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0],
        ],
        ["input", "skip_connect", "nor_conv_3x3", "nor_conv_3x3", "skip_connect", "output"],
    )
    assert Architecture(matrix, labels) == expected


def test_graph_is_pruned_for_every_cell():
    for codes in nb201_cell.all_cell_codes()[::97].tolist():
        arch = Architecture(*nb201_cell.operation_graph(tuple(codes)))
        assert arch.is_pruned


def test_zero_cell_graph():
    _, labels = nb201_cell.operation_graph((0, 0, 0, 0, 0, 0))
    assert labels == ("input", "none", "output")


def test_disconnected_cell_is_zero_cell():
    # Every edge into node 3 is none: the output is zero whatever the other edges do.
    assert nb201_cell.operation_graph((3, 3, 3, 0, 0, 0))[1] == ("input", "none", "output")


def test_graph_fully_connected_cell():
    matrix, labels = nb201_cell.operation_graph((3,) * 6)
    assert matrix.shape == (8, 8)
    assert int(matrix.sum()) == 10
