"""Build the 1D convolutional network of an architecture in a declared space.

The network follows the space's macro skeleton::

    waveform (B, 1, L)
      -> input pool: AvgPool1d(p), when p > 1                 (B, 1, L / p)
      -> stem: Conv1d(1, w, k) + BatchNorm + ReLU            (B, w, L / p)
      -> stack 1: cells_per_stack cells at width w
      -> downsample (stride s), width x m
      -> stack 2: cells at width w*m ...
      -> global average pooling over time                     (B, C)
      -> concatenate the RR features                          (B, C + n_rr)
      -> head: [Linear + ReLU] + Dropout + Linear             (B, n_classes)

Inside a cell every intermediate node sums its inputs and applies its
operation. The output node sums its inputs and applies nothing. All nodes of a
cell have the stack's width, so only edges from the cell input can meet a
different width. That happens in the first cell after a pooling downsample,
which keeps the width, and each such edge gets its own 1x1 convolution + batch
norm. The graph
is fixed when the module is built, so ``forward`` has no data-dependent
control flow and the module can be scripted with TorchScript.
"""

# No "from __future__ import annotations" here: TorchScript reads the class
# annotations of Node at run time and cannot parse them as strings.
import torch
from torch import nn

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.declaration import DownsampleDeclaration
from ecgnas.spaces.declared_space import DeclaredSpace
from ecgnas.spaces.operations import build_operation


class Projection(nn.Sequential):
    """1x1 convolution + batch norm that changes the channel count.

    Shapes:
        input ``(batch, in_channels, samples)``, output ``(batch, out_channels, samples)``.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(
            nn.Conv1d(in_channels, out_channels, 1, bias=False),
            nn.BatchNorm1d(out_channels),
        )


class Node(nn.Module):
    """One cell node: sums its inputs, projected where widths differ, and applies its operation.

    Args:
        direct: Indices of the earlier nodes whose width matches this node's.
        projected: Indices of the earlier nodes that need a projection.
        projections: One :class:`Projection` per entry of ``projected``.
        operation: The node's operation; ``nn.Identity`` for the output node.
    """

    # Declared so that TorchScript can type the lists even when they are empty.
    direct: list[int]
    projected: list[int]

    def __init__(
        self,
        direct: list[int],
        projected: list[int],
        projections: list[nn.Module],
        operation: nn.Module,
    ) -> None:
        super().__init__()
        self.direct = direct
        self.projected = projected
        self.projections = nn.ModuleList(projections)
        self.operation = operation

    def forward(self, states: list[torch.Tensor]) -> torch.Tensor:
        """Compute the node's output from the outputs of all earlier nodes."""
        inputs: list[torch.Tensor] = []
        for source in self.direct:
            inputs.append(states[source])
        for index, projection in enumerate(self.projections):
            inputs.append(projection(states[self.projected[index]]))
        total = inputs[0]
        for tensor in inputs[1:]:
            total = total + tensor
        return self.operation(total)


class Cell(nn.Module):
    """The module of one pruned cell.

    Shapes:
        input ``(batch, in_channels, samples)``, output ``(batch, channels, samples)``.
    """

    def __init__(self, arch: Architecture, space: DeclaredSpace, in_channels: int, channels: int) -> None:
        super().__init__()
        cell = arch.pruned()
        matrix = cell.matrix
        nodes = []
        for target in range(1, cell.n_nodes):
            sources = [int(s) for s in matrix[:, target].nonzero()[0]]
            # Only the cell input can have another width than the cell's nodes.
            needs_projection = in_channels != channels
            projected = [s for s in sources if s == 0 and needs_projection]
            direct = [s for s in sources if s not in projected]
            projections = [Projection(in_channels, channels) for _ in projected]
            if target == cell.n_nodes - 1:
                operation: nn.Module = nn.Identity()
            else:
                declared = space.declaration.operation(cell.operations[target])
                operation = build_operation(declared.type, declared.param_dict, channels)
            nodes.append(Node(direct, projected, projections, operation))
        self.nodes = nn.ModuleList(nodes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states = [x]
        for node in self.nodes:
            states.append(node(states))
        return states[-1]


class EcgNet(nn.Module):
    """The network of one architecture: stem, stacks of cells, pooling, RR features, head.

    Use :func:`build_model` to create it.

    Shapes:
        ``waveform``: ``(batch, 1, samples)`` in millivolts; ``rr``: ``(batch, n_rr)``;
        output: ``(batch, n_classes)`` logits.
    """

    def __init__(self, stem: nn.Module, stages: list[nn.Module], head: nn.Module) -> None:
        super().__init__()
        self.stem = stem
        self.stages = nn.ModuleList(stages)
        self.head = head

    def forward(self, waveform: torch.Tensor, rr: torch.Tensor) -> torch.Tensor:
        x = self.stem(waveform)  # (B, w, L)
        for stage in self.stages:
            x = stage(x)  # (B, C, L / s^k)
        pooled = x.mean(dim=-1)  # (B, C)
        features = torch.cat([pooled, rr], dim=1)  # (B, C + n_rr)
        return self.head(features)  # (B, n_classes)


def build_model(
    arch: Architecture,
    space: DeclaredSpace,
    n_classes: int | None = None,
    rr_features: int | None = None,
) -> EcgNet:
    """Build the network of ``arch`` following the macro skeleton of ``space``.

    Args:
        arch: A valid architecture of ``space``.
        space: A declared space with ``input`` and ``macro`` sections.
        n_classes: Number of logits; defaults to the space's ``input.classes``.
        rr_features: Number of RR features per beat; defaults to ``input.rr_features``.

    Returns:
        The untrained network, in training mode.

    Raises:
        InvalidArchitectureError: ``arch`` is not in ``space``.
        ConfigError: The space cannot build models, or a count is below its minimum.
    """
    space.validate(arch)
    macro = space.macro
    declared_input = space.model_input
    n_classes = declared_input.classes if n_classes is None else n_classes
    rr_features = declared_input.rr_features if rr_features is None else rr_features
    if n_classes < 1:
        raise ConfigError(f"n_classes is {n_classes}; a model needs at least 1 output class")
    if rr_features < 0:
        raise ConfigError(f"rr_features is {rr_features}; use 0 or more")

    width = space.stem_width(arch)
    pool = space.input_pool(arch)
    stem_layers: list[nn.Module] = [nn.AvgPool1d(pool, stride=pool)] if pool > 1 else []
    stem = nn.Sequential(
        *stem_layers,
        nn.Conv1d(1, width, macro.stem_kernel_size, padding=macro.stem_kernel_size // 2, bias=False),
        nn.BatchNorm1d(width),
        nn.ReLU(),
    )

    stages: list[nn.Module] = []
    in_channels = width
    for stack in range(macro.stacks):
        layers: list[nn.Module] = []
        if stack > 0:
            width *= macro.width_multiplier
            downsample, in_channels = _downsample(macro.downsample, in_channels, width)
            layers.append(downsample)
        for _ in range(space.cells_per_stack(arch)):
            layers.append(Cell(arch, space, in_channels, width))
            in_channels = width
        stages.append(nn.Sequential(*layers))

    head_layers: list[nn.Module] = []
    features = width + rr_features
    if macro.head.hidden_units > 0:
        head_layers += [nn.Linear(features, macro.head.hidden_units), nn.ReLU()]
        features = macro.head.hidden_units
    head_layers += [nn.Dropout(macro.head.dropout), nn.Linear(features, n_classes)]
    return EcgNet(stem, stages, nn.Sequential(*head_layers))


def _downsample(declared: DownsampleDeclaration, in_channels: int, width: int) -> tuple[nn.Module, int]:
    """Return the layer between stacks and its output channel count."""
    padding = declared.kernel_size // 2
    if declared.type == "max_pool":
        return nn.MaxPool1d(declared.kernel_size, declared.stride, padding), in_channels
    if declared.type == "avg_pool":
        layer = nn.AvgPool1d(declared.kernel_size, declared.stride, padding, count_include_pad=False)
        return layer, in_channels
    # A strided convolution also changes the width, so the next cells need no projection.
    layer = nn.Sequential(
        nn.Conv1d(in_channels, width, declared.kernel_size, declared.stride, padding, bias=False),
        nn.BatchNorm1d(width),
        nn.ReLU(),
    )
    return layer, width
