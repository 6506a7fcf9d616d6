"""Tests of the YAML space declarations: the built-in files and each malformed case."""

import copy

import pytest
import yaml

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.catalog import available_spaces, find_space_file, load_space
from ecgnas.spaces.declaration import parse_declaration, read_declaration


def valid_document() -> dict:
    return {
        "name": "mini",
        "description": "small space for tests",
        "input": {"sampling_rate_hz": 360, "samples": 32, "rr_features": 2, "classes": 3},
        "cell": {
            "max_nodes": 5,
            "max_edges": 6,
            "operations": {
                "conv_k3": {"type": "conv", "kernel_size": 3},
                "pool": {"type": "max_pool", "kernel_size": 3},
            },
        },
        "macro": {
            "stem": {"kernel_size": 3},
            "stacks": 2,
            "width_multiplier": 2,
            "downsample": {"type": "max_pool", "kernel_size": 3, "stride": 2},
            "head": {"hidden_units": 8, "dropout": 0.1},
        },
        "global_choices": {"stem_width": [4, 8], "cells_per_stack": [1, 2]},
    }


def write(tmp_path, document) -> str:
    path = tmp_path / "space.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def edit(change):
    document = copy.deepcopy(valid_document())
    change(document)
    return document


# Each case: a change to the valid document and a piece of its error message.
MALFORMED = {
    "missing name": (lambda d: d.pop("name"), "key 'name' is missing"),
    "missing cell": (lambda d: d.pop("cell"), "key 'cell' is missing"),
    "missing max_nodes": (lambda d: d["cell"].pop("max_nodes"), "key 'cell.max_nodes' is missing"),
    "missing operations": (
        lambda d: d["cell"].pop("operations"),
        "key 'cell.operations' is missing",
    ),
    "unknown top-level key": (
        lambda d: d.update(colour="red"),
        "unknown keys ['colour']; allowed keys: ['cell', 'description'",
    ),
    "unknown cell key": (
        lambda d: d["cell"].update(max_depth=3),
        "key 'cell': unknown keys ['max_depth']",
    ),
    "unknown operation type": (
        lambda d: d["cell"]["operations"].update(bad={"type": "conv2d"}),
        "unknown operation type 'conv2d'; allowed types: ['avg_pool', 'benchmark', 'conv'",
    ),
    "unknown operation parameter": (
        lambda d: d["cell"]["operations"]["conv_k3"].update(stride=2),
        "unknown parameters ['stride'] for operation type 'conv'; allowed parameters: "
        "['dilation', 'kernel_size']",
    ),
    "missing operation parameter": (
        lambda d: d["cell"]["operations"]["conv_k3"].pop("kernel_size"),
        "missing parameter 'kernel_size' for operation type 'conv'",
    ),
    "missing operation type": (
        lambda d: d["cell"]["operations"]["conv_k3"].pop("type"),
        "key 'cell.operations.conv_k3.type' is missing",
    ),
    "even kernel": (
        lambda d: d["cell"]["operations"]["conv_k3"].update(kernel_size=4),
        "cell.operations.conv_k3'.kernel_size: got 4; expected an odd integer",
    ),
    "operation not a mapping": (
        lambda d: d["cell"]["operations"].update(conv_k3=3),
        "key 'cell.operations.conv_k3' must be a mapping",
    ),
    "no operations": (
        lambda d: d["cell"].update(operations={}),
        "declares no operation",
    ),
    "reserved operation name": (
        lambda d: d["cell"]["operations"].update(output={"type": "identity"}),
        "reserved for the cell's end nodes",
    ),
    "max_nodes not an integer": (
        lambda d: d["cell"].update(max_nodes="seven"),
        "key 'cell.max_nodes' is 'seven' of type str; it must be an integer",
    ),
    "max_nodes boolean": (
        lambda d: d["cell"].update(max_nodes=True),
        "key 'cell.max_nodes' is True of type bool; it must be an integer",
    ),
    "too few nodes": (
        lambda d: d["cell"].update(max_nodes=1),
        "a cell needs at least 2 nodes",
    ),
    "zero edges": (lambda d: d["cell"].update(max_edges=0), "at least 1 edge is needed"),
    "more edges than a DAG has": (
        lambda d: d["cell"].update(max_edges=11),
        "more than the 10 edges a DAG of max_nodes=5 nodes can have",
    ),
    "empty global choice": (
        lambda d: d["global_choices"].update(stem_width=[]),
        "key 'global_choices.stem_width' must be a non-empty list",
    ),
    "repeated global choice value": (
        lambda d: d["global_choices"].update(stem_width=[4, 4]),
        "lists a value twice",
    ),
    "non-scalar global choice value": (
        lambda d: d["global_choices"].update(stem_width=[[4]]),
        "is not a scalar",
    ),
    "non-positive stem width": (
        lambda d: d["global_choices"].update(stem_width=[0, 8]),
        "values [0] are invalid; the macro needs positive integers",
    ),
    "macro without input": (lambda d: d.pop("input"), "needs an 'input' section"),
    "macro with label-only operation": (
        lambda d: d["cell"]["operations"].update(label={"type": "benchmark"}),
        "operations ['label'] have a label-only type",
    ),
    "macro choice neither declared nor fixed": (
        lambda d: d["global_choices"].pop("stem_width"),
        "key 'macro.stem.width' is missing; the macro needs stem_width",
    ),
    "macro choice both declared and fixed": (
        lambda d: d["macro"].update(cells_per_stack=2),
        "fixes cells_per_stack, which global_choices also declares",
    ),
    "unknown downsample type": (
        lambda d: d["macro"]["downsample"].update(type="stride"),
        "allowed types: ['max_pool', 'avg_pool', 'conv']",
    ),
    "dropout out of range": (
        lambda d: d["macro"]["head"].update(dropout=1.5),
        "key 'macro.head.dropout' is 1.5; it must be in [0, 1)",
    ),
    "zero stacks": (lambda d: d["macro"].update(stacks=0), "key 'macro.stacks' is 0"),
    "even stem kernel": (
        lambda d: d["macro"]["stem"].update(kernel_size=6),
        "key 'macro.stem.kernel_size' is 6; it must be an odd positive integer",
    ),
    "one class": (
        lambda d: d["input"].update(classes=1),
        "key 'input.classes' is 1; it must be at least 2",
    ),
    "zero sampling rate": (
        lambda d: d["input"].update(sampling_rate_hz=0),
        "key 'input.sampling_rate_hz' is 0.0; it must be above 0",
    ),
    "unknown input key": (
        lambda d: d["input"].update(leads=2),
        "key 'input': unknown keys ['leads']",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_declaration_message(tmp_path, case):
    change, message = MALFORMED[case]
    path = write(tmp_path, edit(change))
    with pytest.raises(ConfigError) as info:
        read_declaration(path)
    assert message in str(info.value)


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_declaration_names_file(tmp_path, case):
    change, _ = MALFORMED[case]
    path = write(tmp_path, edit(change))
    with pytest.raises(ConfigError) as info:
        read_declaration(path)
    assert str(path) in str(info.value)


def test_malformed_messages_distinct():
    messages = [message for _, message in MALFORMED.values()]
    assert len(set(messages)) == len(messages)


def test_invalid_yaml_names_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncell: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML at line"):
        read_declaration(path)


def test_document_not_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="the document must be a mapping"):
        read_declaration(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        read_declaration(tmp_path / "absent.yaml")


def test_valid_document_parses():
    declaration = parse_declaration(valid_document())
    assert [op.name for op in declaration.operations] == ["conv_k3", "pool"]


def test_defaults_filled_in():
    declaration = parse_declaration(valid_document())
    assert declaration.operation("conv_k3").param_dict == {"dilation": 1, "kernel_size": 3}


def test_fixed_macro_values_accepted():
    def fix(document):
        document.pop("global_choices")
        document["macro"]["stem"]["width"] = 4
        document["macro"]["cells_per_stack"] = 1

    declaration = parse_declaration(edit(fix))
    assert (declaration.macro.stem_width, declaration.macro.cells_per_stack) == (4, 1)


def test_input_pool_default_left_out_of_dict():
    declaration = parse_declaration(valid_document())

    assert declaration.macro.input_pool == 1
    assert "input_pool" not in declaration.to_dict()["macro"]


def test_input_pool_fixed_or_chosen():
    def fix(document):
        document["macro"]["input_pool"] = 2

    def choose(document):
        document["global_choices"]["input_pool"] = [1, 4]

    assert parse_declaration(edit(fix)).macro.input_pool == 2
    assert parse_declaration(edit(fix)).to_dict()["macro"]["input_pool"] == 2
    chosen = parse_declaration(edit(choose))
    assert chosen.macro.input_pool is None
    assert [choice.values for choice in chosen.global_choices if choice.name == "input_pool"] == [(1, 4)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: (d["macro"].update(input_pool=2), d["global_choices"].update(input_pool=[1, 2])),
            "fixes input_pool, which global_choices also declares",
        ),
        (
            lambda d: d["macro"].update(input_pool=0),
            "key 'macro.input_pool' is 0; it must be at least 1 (1 keeps every sample: no pooling)",
        ),
        (
            lambda d: d["global_choices"].update(input_pool=[0, 2]),
            "values [0] are invalid; the macro needs positive integers (1 keeps every sample: no pooling)",
        ),
        (
            lambda d: d["global_choices"].update(input_pool=[1, 5, 64]),
            "key 'global_choices.input_pool' has [5, 64], which do not divide the 32 samples",
        ),
        (lambda d: d["macro"].update(input_pool=3), "key 'macro.input_pool' has [3]"),
    ],
)
def test_bad_input_pool_rejected(change, message):
    with pytest.raises(ConfigError) as raised:
        parse_declaration(edit(change))
    assert message in str(raised.value)


def test_space_without_macro_parses():
    def strip(document):
        document.pop("macro")
        document.pop("input")

    assert parse_declaration(edit(strip)).macro is None


def test_builtin_spaces_listed():
    assert {"ecg1d", "nasbench101"} <= set(available_spaces())


def test_ecg1d_declaration():
    space = load_space("ecg1d")
    signal = space.declaration.input
    assert (signal.samples, signal.rr_features, signal.classes) == (252, 9, 5)


def test_ecg1d_limits():
    space = load_space("ecg1d")
    assert (space.max_nodes, space.max_edges) == (7, 9)


def test_nasbench101_declaration():
    space = load_space("nasbench101")
    assert space.operations == ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


def test_load_space_by_path(tmp_path):
    path = write(tmp_path, valid_document())
    assert load_space(str(path)).name == "mini"


def test_unknown_space_name_lists_builtins():
    with pytest.raises(ConfigError, match="built-in spaces: .*'ecg1d'"):
        find_space_file("no_such_space")


def test_space_hash_depends_on_operation_parameters():
    changed = edit(lambda d: d["cell"]["operations"]["conv_k3"].update(dilation=2))
    first = load_space_from(valid_document())
    second = load_space_from(changed)
    assert first.space_hash != second.space_hash


def test_space_hash_ignores_source_file(tmp_path):
    path = write(tmp_path, valid_document())
    assert load_space(str(path)).space_hash == load_space_from(valid_document()).space_hash


def load_space_from(document):
    from ecgnas.spaces.declared_space import DeclaredSpace

    return DeclaredSpace(parse_declaration(document))
