"""Registry of the operation types a space declaration may use, with their 1D modules.

Every buildable operation maps ``(batch, channels, samples)`` to the same
shape: convolutions and pools use stride 1 and "same" padding, which is why
kernel sizes must be odd.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from torch import nn

from ecgnas.exceptions import ConfigError

ParamValue = int | float | str | bool


@dataclass(frozen=True)
class Parameter:
    """One parameter of an operation type.

    Attributes:
        kind: ``"odd_positive_int"`` or ``"positive_int"``.
        default: Value used when the declaration omits the parameter; ``None``
            makes the parameter required.
        doc: What the parameter sets, with its unit.
    """

    kind: str
    default: int | None
    doc: str


@dataclass(frozen=True)
class OperationType:
    """An operation type: its parameters and how to build its module.

    Attributes:
        name: The ``type`` value in a declaration.
        parameters: Accepted parameters by name.
        build: Builds the module from the checked parameters and the channel
            count; ``None`` for label-only types whose models are not built here.
        doc: One-line description.
    """

    name: str
    parameters: Mapping[str, Parameter]
    build: Callable[[Mapping[str, Any], int], nn.Module] | None
    doc: str

    @property
    def buildable(self) -> bool:
        """Whether :func:`build_operation` can build this type."""
        return self.build is not None


class ConvBnRelu(nn.Sequential):
    """Convolution, batch norm and ReLU with "same" padding.

    Shapes:
        input ``(batch, channels, samples)``, output the same.
    """

    def __init__(self, channels: int, kernel_size: int, dilation: int) -> None:
        super().__init__(
            nn.Conv1d(
                channels,
                channels,
                kernel_size,
                padding=dilation * (kernel_size - 1) // 2,
                dilation=dilation,
                bias=False,
            ),
            nn.BatchNorm1d(channels),
            nn.ReLU(),
        )


class SeparableConvBnRelu(nn.Sequential):
    """Depthwise convolution, pointwise 1x1 convolution, batch norm and ReLU.

    Shapes:
        input ``(batch, channels, samples)``, output the same.
    """

    def __init__(self, channels: int, kernel_size: int, dilation: int) -> None:
        super().__init__(
            nn.Conv1d(
                channels,
                channels,
                kernel_size,
                padding=dilation * (kernel_size - 1) // 2,
                dilation=dilation,
                groups=channels,
                bias=False,
            ),
            nn.Conv1d(channels, channels, 1, bias=False),
            nn.BatchNorm1d(channels),
            nn.ReLU(),
        )


_KERNEL = Parameter("odd_positive_int", None, "kernel length in samples (odd)")
_DILATION = Parameter("positive_int", 1, "spacing between kernel taps in samples")

OPERATION_TYPES: dict[str, OperationType] = {
    op.name: op
    for op in (
        OperationType(
            "conv",
            {"kernel_size": _KERNEL, "dilation": _DILATION},
            lambda p, c: ConvBnRelu(c, p["kernel_size"], p["dilation"]),
            "convolution + batch norm + ReLU; dilation > 1 gives a dilated convolution",
        ),
        OperationType(
            "separable_conv",
            {"kernel_size": _KERNEL, "dilation": _DILATION},
            lambda p, c: SeparableConvBnRelu(c, p["kernel_size"], p["dilation"]),
            "depthwise then 1x1 convolution + batch norm + ReLU",
        ),
        OperationType(
            "max_pool",
            {"kernel_size": _KERNEL},
            lambda p, c: nn.MaxPool1d(p["kernel_size"], stride=1, padding=p["kernel_size"] // 2),
            "max pooling with stride 1",
        ),
        OperationType(
            "avg_pool",
            {"kernel_size": _KERNEL},
            lambda p, c: nn.AvgPool1d(
                p["kernel_size"],
                stride=1,
                padding=p["kernel_size"] // 2,
                count_include_pad=False,
            ),
            "average pooling with stride 1, padding excluded from the mean",
        ),
        OperationType("identity", {}, lambda p, c: nn.Identity(), "passes its input unchanged"),
        OperationType(
            "benchmark",
            {},
            None,
            "a label only, for benchmark spaces (NAS-Bench) whose models are not built here",
        ),
    )
}
"""Operation types by name."""


def check_parameters(type_name: str, params: Mapping[str, object], where: str) -> dict[str, ParamValue]:
    """Check the parameters of one declared operation and fill in defaults.

    Args:
        type_name: The declared ``type``.
        params: The other keys of the declaration.
        where: Prefix for error messages, naming the file and key.

    Returns:
        Every parameter of the type with its value.

    Raises:
        ConfigError: Unknown type, unknown or missing parameter, or a value of
            the wrong kind.
    """
    if type_name not in OPERATION_TYPES:
        raise ConfigError(
            f"{where}: unknown operation type {type_name!r}; allowed types: {sorted(OPERATION_TYPES)}"
        )
    spec = OPERATION_TYPES[type_name]
    unknown = sorted(set(params) - set(spec.parameters))
    if unknown:
        allowed = sorted(spec.parameters) or "none"
        raise ConfigError(
            f"{where}: unknown parameters {unknown} for operation type {type_name!r}; "
            f"allowed parameters: {allowed}"
        )
    checked: dict[str, ParamValue] = {}
    for name, parameter in spec.parameters.items():
        value = params.get(name, parameter.default)
        if value is None:
            raise ConfigError(
                f"{where}: missing parameter {name!r} for operation type {type_name!r} ({parameter.doc})"
            )
        checked[name] = _check_value(value, parameter, f"{where}.{name}")
    return checked


def build_operation(type_name: str, params: Mapping[str, Any], channels: int) -> nn.Module:
    """Build the module of one operation for ``channels`` channels.

    Raises:
        ConfigError: The type has no module (a ``benchmark`` label).
    """
    spec = OPERATION_TYPES[type_name]
    if spec.build is None:
        raise ConfigError(
            f"operation type {type_name!r} is a label only and has no 1D module; build models "
            "only for spaces whose operations are all buildable"
        )
    return spec.build(params, channels)


def _check_value(value: object, parameter: Parameter, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: got {value!r}; expected a positive integer ({parameter.doc})")
    if parameter.kind == "odd_positive_int" and value % 2 == 0:
        raise ConfigError(
            f"{where}: got {value}; expected an odd integer so that 'same' padding keeps the "
            f"length ({parameter.doc})"
        )
    return value
