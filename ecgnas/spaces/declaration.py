"""Typed, validated search space declarations read from YAML files.

A declaration file has these top-level keys (``cell`` and ``name`` required)::

    name: ecg1d
    description: free text
    input:            # needed to build models
      sampling_rate_hz: 360
      samples: 252
      rr_features: 9
      classes: 5
    cell:
      max_nodes: 7
      max_edges: 9
      operations:
        conv_k3: {type: conv, kernel_size: 3}
    macro:            # needed to build models
      stem: {kernel_size: 7}          # add width: N to fix it instead of a global choice
      stacks: 3
      cells_per_stack: 2              # only when it is not a global choice
      width_multiplier: 2
      downsample: {type: max_pool, kernel_size: 3, stride: 2}
      head: {hidden_units: 32, dropout: 0.1}
    global_choices:
      stem_width: [8, 16, 32]
      cells_per_stack: [1, 2, 3]
      input_pool: [1, 3, 6]           # or fixed as macro.input_pool (1 when left out)

``input_pool`` averages blocks of that many samples before the stem, so a
value of 3 gives the cells a 120 Hz view of a 360 Hz beat. Each value must
divide ``input.samples``.

Every problem raises :class:`~ecgnas.exceptions.ConfigError` naming the file,
the key and the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import GlobalValue
from ecgnas.spaces.base import GlobalChoice
from ecgnas.spaces.operations import OPERATION_TYPES, ParamValue, check_parameters

DOWNSAMPLE_TYPES = ("max_pool", "avg_pool", "conv")
"""Layers allowed between stacks; ``conv`` is a strided convolution + batch norm + ReLU."""

MACRO_CHOICES = ("stem_width", "cells_per_stack", "input_pool")
"""Global choices the macro skeleton reads; each may instead be fixed in ``macro``."""

OPTIONAL_MACRO_CHOICES = {"input_pool": 1}
"""Macro choices that may be left out everywhere, with the value they then take.

Spaces declared before ``input_pool`` existed keep their models and their hash.
"""

MACRO_CHOICE_HINTS = {"input_pool": "1 keeps every sample: no pooling"}
"""Meaning of the smallest value of each macro choice, added to errors about its values."""


@dataclass(frozen=True)
class OperationDeclaration:
    """One named operation of a space.

    Attributes:
        name: Label used on cell nodes.
        type: Key into :data:`ecgnas.spaces.operations.OPERATION_TYPES`.
        params: Every parameter of the type, defaults filled in, sorted by name.
    """

    name: str
    type: str
    params: tuple[tuple[str, ParamValue], ...]

    @property
    def param_dict(self) -> dict[str, ParamValue]:
        """The parameters as a new dict."""
        return dict(self.params)


@dataclass(frozen=True)
class InputDeclaration:
    """The signal a model of the space receives.

    Attributes:
        sampling_rate_hz: Sampling rate of the beat waveform in Hz.
        samples: Length of one beat window in samples.
        rr_features: Number of RR-interval features per beat.
        classes: Number of output classes.
    """

    sampling_rate_hz: float
    samples: int
    rr_features: int
    classes: int


@dataclass(frozen=True)
class DownsampleDeclaration:
    """The layer between two stacks.

    Attributes:
        type: One of :data:`DOWNSAMPLE_TYPES`.
        kernel_size: Kernel length in samples.
        stride: Step in samples; the length shrinks by about this factor.
    """

    type: str
    kernel_size: int
    stride: int


@dataclass(frozen=True)
class HeadDeclaration:
    """The classifier after global average pooling and the RR features.

    Attributes:
        hidden_units: Width of the hidden layer; 0 for a single linear layer.
        dropout: Dropout probability before the last linear layer, in ``[0, 1)``.
    """

    hidden_units: int
    dropout: float


@dataclass(frozen=True)
class MacroDeclaration:
    """The network around the cells.

    Attributes:
        stem_kernel_size: Kernel length of the stem convolution, in samples.
        stacks: Number of stacks of cells.
        width_multiplier: Factor applied to the width after each downsampling.
        downsample: Layer between stacks.
        head: Classifier head.
        stem_width: Fixed stem width, or ``None`` when a global choice sets it.
        cells_per_stack: Fixed cells per stack, or ``None`` when a global choice sets it.
        input_pool: Fixed factor by which an average pool shortens the beat window before
            the stem (1, the default, keeps every sample), or ``None`` when a global
            choice sets it.
    """

    stem_kernel_size: int
    stacks: int
    width_multiplier: int
    downsample: DownsampleDeclaration
    head: HeadDeclaration
    stem_width: int | None = None
    cells_per_stack: int | None = None
    input_pool: int | None = 1


@dataclass(frozen=True)
class SpaceDeclaration:
    """A search space as declared in a YAML file.

    Attributes:
        name: Short name of the space.
        description: Free text.
        max_nodes: Maximum number of nodes of a pruned cell, input and output included.
        max_edges: Maximum number of edges of a pruned cell.
        operations: The cell operations in declared order.
        global_choices: The global choices in declared order.
        input: The model input, or ``None`` for spaces whose models are not built here.
        macro: The skeleton around the cells, or ``None`` likewise.
        source: The file the declaration was read from, or ``"<dict>"``.
    """

    name: str
    description: str
    max_nodes: int
    max_edges: int
    operations: tuple[OperationDeclaration, ...]
    global_choices: tuple[GlobalChoice, ...]
    input: InputDeclaration | None
    macro: MacroDeclaration | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return the declaration as JSON-compatible data, ``source`` left out."""
        data = asdict(self)
        data.pop("source")
        data["operations"] = [{"name": op.name, "type": op.type, **op.param_dict} for op in self.operations]
        data["global_choices"] = {c.name: list(c.values) for c in self.global_choices}
        if data["macro"] is not None:
            # A default left out keeps the hash that the space had before the key existed.
            for name, default in OPTIONAL_MACRO_CHOICES.items():
                if data["macro"][name] == default:
                    del data["macro"][name]
        return data

    def operation(self, name: str) -> OperationDeclaration:
        """Return the operation called ``name``.

        Raises:
            ConfigError: No such operation.
        """
        for op in self.operations:
            if op.name == name:
                return op
        raise ConfigError(
            f"space {self.name!r} has no operation {name!r}; operations: "
            f"{[op.name for op in self.operations]}"
        )


def read_declaration(path: str | Path) -> SpaceDeclaration:
    """Read and validate a space declaration file.

    Raises:
        ConfigError: The file is missing, is not valid YAML, or breaks a rule
            of the format described in this module.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"search space file {path} not found") from None
    except OSError as error:
        raise ConfigError(f"cannot read search space file {path}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: invalid YAML{line}: {error}") from None
    return parse_declaration(data, str(path))


def parse_declaration(data: object, source: str = "<dict>") -> SpaceDeclaration:
    """Validate already-parsed YAML data into a :class:`SpaceDeclaration`.

    Args:
        data: The YAML document.
        source: File name for error messages.

    Raises:
        ConfigError: Naming ``source``, the key and the allowed values.
    """
    top = _Section(data, source, "")
    name = top.required("name", str)
    description = top.optional("description", str, "")
    cell = top.required_section("cell")
    input_section = top.optional_section("input")
    macro_section = top.optional_section("macro")
    choices_section = top.optional_section("global_choices")
    top.finish(["name", "description", "input", "cell", "macro", "global_choices"])

    max_nodes = cell.required("max_nodes", int)
    max_edges = cell.required("max_edges", int)
    operations_section = cell.required_section("operations")
    cell.finish(["max_nodes", "max_edges", "operations"])
    _check_limits(max_nodes, max_edges, cell)
    operations = _parse_operations(operations_section)

    global_choices = _parse_choices(choices_section) if choices_section else ()
    parsed_input = _parse_input(input_section) if input_section else None
    macro = _parse_macro(macro_section, global_choices) if macro_section else None
    if macro is not None and parsed_input is None:
        raise ConfigError(f"{source}: key 'macro' needs an 'input' section to build models")
    if macro is not None:
        _check_input_pool(macro, global_choices, parsed_input, source)
        unbuildable = [op.name for op in operations if not OPERATION_TYPES[op.type].buildable]
        if unbuildable:
            raise ConfigError(
                f"{source}: key 'macro' builds models, but operations {unbuildable} have a "
                "label-only type; remove 'macro' or give them a buildable type"
            )

    return SpaceDeclaration(
        name=name,
        description=description,
        max_nodes=max_nodes,
        max_edges=max_edges,
        operations=operations,
        global_choices=global_choices,
        input=parsed_input,
        macro=macro,
        source=source,
    )


class _Section:
    """A mapping being read key by key, with the file and key path for errors."""

    def __init__(self, data: object, source: str, path: str) -> None:
        if not isinstance(data, Mapping):
            place = f"key {path!r}" if path else "the document"
            raise ConfigError(
                f"{source}: {place} must be a mapping of keys to values, got {type(data).__name__}"
            )
        self.data = dict(data)
        self.source = source
        self.path = path

    def where(self, key: str | None = None) -> str:
        """Return ``FILE: key 'a.b'`` for error messages."""
        full = ".".join(part for part in (self.path, key) if part)
        return f"{self.source}: key {full!r}" if full else self.source

    def required(self, key: str, kind: type) -> Any:
        if key not in self.data:
            raise ConfigError(f"{self.where(key)} is missing; it must be {_kind_name(kind)}")
        return self._typed(key, kind)

    def optional(self, key: str, kind: type, default: Any) -> Any:
        if key not in self.data:
            return default
        return self._typed(key, kind)

    def required_section(self, key: str) -> _Section:
        if key not in self.data:
            raise ConfigError(f"{self.where(key)} is missing; it must be a mapping")
        return _Section(self.data[key], self.source, self._child(key))

    def optional_section(self, key: str) -> _Section | None:
        if key not in self.data or self.data[key] is None:
            return None
        return _Section(self.data[key], self.source, self._child(key))

    def finish(self, allowed: list[str]) -> None:
        unknown = sorted(str(key) for key in self.data if key not in allowed)
        if unknown:
            raise ConfigError(f"{self.where()}: unknown keys {unknown}; allowed keys: {sorted(allowed)}")

    def _child(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _typed(self, key: str, kind: type) -> Any:
        value = self.data[key]
        # bool is a subclass of int, and an int is an acceptable float.
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok:
            raise ConfigError(
                f"{self.where(key)} is {value!r} of type {type(value).__name__}; it must be "
                f"{_kind_name(kind)}"
            )
        return float(value) if kind is float else value


def _kind_name(kind: type) -> str:
    return {int: "an integer", float: "a number", str: "a string"}.get(kind, kind.__name__)


def _check_limits(max_nodes: int, max_edges: int, cell: _Section) -> None:
    if max_nodes < 2:
        raise ConfigError(
            f"{cell.where('max_nodes')} is {max_nodes}; a cell needs at least 2 nodes (input and output)"
        )
    if max_edges < 1:
        raise ConfigError(
            f"{cell.where('max_edges')} is {max_edges}; at least 1 edge is needed to join input and output"
        )
    possible = max_nodes * (max_nodes - 1) // 2
    if max_edges > possible:
        raise ConfigError(
            f"{cell.where('max_edges')} is {max_edges}, more than the {possible} edges a DAG of "
            f"max_nodes={max_nodes} nodes can have; use at most {possible}"
        )


def _parse_operations(section: _Section) -> tuple[OperationDeclaration, ...]:
    if not section.data:
        raise ConfigError(f"{section.where()} declares no operation; declare at least one")
    operations = []
    for name, spec in section.data.items():
        name = str(name)
        if name in ("input", "output"):
            raise ConfigError(
                f"{section.where(name)}: the names 'input' and 'output' are reserved for the "
                "cell's end nodes; rename the operation"
            )
        op = _Section(spec, section.source, section._child(name))
        type_name = op.required("type", str)
        params = {key: value for key, value in op.data.items() if key != "type"}
        checked = check_parameters(type_name, params, op.where())
        operations.append(OperationDeclaration(name, type_name, tuple(sorted(checked.items()))))
    return tuple(operations)


def _parse_choices(section: _Section) -> tuple[GlobalChoice, ...]:
    choices = []
    for name, values in section.data.items():
        where = section.where(str(name))
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where} must be a non-empty list of values, got {values!r}")
        for value in values:
            if not isinstance(value, (int, float, str, bool)):
                raise ConfigError(
                    f"{where}: value {value!r} is not a scalar; values must be int, float, str or bool"
                )
        if len(set(values)) != len(values):
            raise ConfigError(f"{where} lists a value twice in {values}; list each value once")
        typed_values: tuple[GlobalValue, ...] = tuple(values)
        if str(name) in MACRO_CHOICES:
            _check_positive_ints(typed_values, where, str(name))
        choices.append(GlobalChoice(str(name), typed_values))
    return tuple(choices)


def _check_positive_ints(values: tuple[GlobalValue, ...], where: str, name: str) -> None:
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int) or v < 1]
    if bad:
        raise ConfigError(
            f"{where}: values {bad} are invalid; the macro needs positive integers{_hint(name)}"
        )


def _hint(name: str) -> str:
    """Return the meaning of the smallest value of macro choice ``name`` in brackets, if it has one."""
    return f" ({MACRO_CHOICE_HINTS[name]})" if name in MACRO_CHOICE_HINTS else ""


def _parse_input(section: _Section) -> InputDeclaration:
    declared = InputDeclaration(
        sampling_rate_hz=section.required("sampling_rate_hz", float),
        samples=section.required("samples", int),
        rr_features=section.required("rr_features", int),
        classes=section.required("classes", int),
    )
    section.finish(["sampling_rate_hz", "samples", "rr_features", "classes"])
    for key, minimum in (("sampling_rate_hz", 0), ("samples", 1), ("rr_features", 0), ("classes", 2)):
        value = getattr(declared, key)
        if value < minimum or (key == "sampling_rate_hz" and value == 0):
            bound = "above 0" if key == "sampling_rate_hz" else f"at least {minimum}"
            raise ConfigError(f"{section.where(key)} is {value}; it must be {bound}")
    return declared


def _check_input_pool(
    macro: MacroDeclaration, choices: tuple[GlobalChoice, ...], model_input: InputDeclaration, source: str
) -> None:
    """Check that every input pool divides the beat window, so no sample at its end is dropped."""
    if macro.input_pool is not None:
        key, pools = "macro.input_pool", [macro.input_pool]
    else:
        key = "global_choices.input_pool"
        pools = [value for choice in choices if choice.name == "input_pool" for value in choice.values]
    samples = model_input.samples
    uneven = [pool for pool in pools if samples % pool != 0]
    if uneven:
        divisors = [n for n in range(1, min(samples, 12) + 1) if samples % n == 0]
        raise ConfigError(
            f"{source}: key '{key}' has {uneven}, which do not divide the {samples} samples of "
            f"input.samples, so the pool would drop the last samples of every beat; use divisors "
            f"of {samples} such as {divisors}{_hint('input_pool')}"
        )


def _parse_macro(section: _Section, choices: tuple[GlobalChoice, ...]) -> MacroDeclaration:
    stem = section.required_section("stem")
    stem_kernel = stem.required("kernel_size", int)
    stem_width = stem.optional("width", int, None)
    stem.finish(["kernel_size", "width"])
    stacks = section.required("stacks", int)
    cells_per_stack = section.optional("cells_per_stack", int, None)
    input_pool = section.optional("input_pool", int, None)
    width_multiplier = section.optional("width_multiplier", int, 2)
    downsample_section = section.required_section("downsample")
    head_section = section.required_section("head")
    section.finish(
        ["input_pool", "stem", "stacks", "cells_per_stack", "width_multiplier", "downsample", "head"]
    )

    downsample = DownsampleDeclaration(
        type=downsample_section.required("type", str),
        kernel_size=downsample_section.required("kernel_size", int),
        stride=downsample_section.required("stride", int),
    )
    downsample_section.finish(["type", "kernel_size", "stride"])
    if downsample.type not in DOWNSAMPLE_TYPES:
        raise ConfigError(
            f"{downsample_section.where('type')} is {downsample.type!r}; allowed types: "
            f"{list(DOWNSAMPLE_TYPES)}"
        )
    head = HeadDeclaration(
        hidden_units=head_section.optional("hidden_units", int, 0),
        dropout=head_section.optional("dropout", float, 0.0),
    )
    head_section.finish(["hidden_units", "dropout"])

    for where, value in (
        (stem.where("kernel_size"), stem_kernel),
        (downsample_section.where("kernel_size"), downsample.kernel_size),
    ):
        if value < 1 or value % 2 == 0:
            raise ConfigError(f"{where} is {value}; it must be an odd positive integer")
    for where, value in (
        (section.where("stacks"), stacks),
        (section.where("width_multiplier"), width_multiplier),
        (downsample_section.where("stride"), downsample.stride),
    ):
        if value < 1:
            raise ConfigError(f"{where} is {value}; it must be at least 1")
    if head.hidden_units < 0:
        raise ConfigError(f"{head_section.where('hidden_units')} is {head.hidden_units}; use 0 or more")
    if not 0.0 <= head.dropout < 1.0:
        raise ConfigError(f"{head_section.where('dropout')} is {head.dropout}; it must be in [0, 1)")

    declared = {choice.name for choice in choices}
    fixed = {"stem_width": stem_width, "cells_per_stack": cells_per_stack, "input_pool": input_pool}
    keys = {
        "stem_width": stem.where("width"),
        "cells_per_stack": section.where("cells_per_stack"),
        "input_pool": section.where("input_pool"),
    }
    for name in MACRO_CHOICES:
        if name in declared and fixed[name] is not None:
            raise ConfigError(
                f"{keys[name]} fixes {name}, which global_choices also declares; keep one of them"
            )
        if name not in declared and fixed[name] is None and name in OPTIONAL_MACRO_CHOICES:
            fixed[name] = OPTIONAL_MACRO_CHOICES[name]
        if name not in declared and fixed[name] is None:
            raise ConfigError(
                f"{keys[name]} is missing; the macro needs {name} either as a global choice or "
                "as this fixed value"
            )
        if fixed[name] is not None and fixed[name] < 1:
            raise ConfigError(f"{keys[name]} is {fixed[name]}; it must be at least 1{_hint(name)}")

    return MacroDeclaration(
        stem_kernel_size=stem_kernel,
        stacks=stacks,
        width_multiplier=width_multiplier,
        downsample=downsample,
        head=head,
        stem_width=fixed["stem_width"],
        cells_per_stack=fixed["cells_per_stack"],
        input_pool=fixed["input_pool"],
    )


def downsampled_length(length: int, downsample: DownsampleDeclaration) -> int:
    """Return the output length of one downsampling layer for ``length`` input samples.

    The layer pads ``kernel_size // 2`` samples on each side, as PyTorch's pooling
    and convolution layers compute it.
    """
    padding = downsample.kernel_size // 2
    return (length + 2 * padding - downsample.kernel_size) // downsample.stride + 1
