"""Parameter and multiply-accumulate counts of a built network."""

from __future__ import annotations

import torch
from torch import nn


def count_parameters(model: nn.Module) -> int:
    """Return the number of trainable parameters; batch-norm running statistics are buffers."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


def count_macs(model: nn.Module, samples: int, rr_features: int) -> int:
    """Count the multiply-accumulate operations of one forward pass for one beat.

    The count runs the model once on zeros with hooks on every
    :class:`torch.nn.Conv1d` and :class:`torch.nn.Linear`:

    - Conv1d: ``out_channels * out_samples * (in_channels / groups) * kernel_size``;
    - Linear: ``in_features * out_features``.

    Biases, batch norm (folded into the preceding convolution for inference),
    activations, pooling and the sums where a node's inputs meet are not
    counted, because none is a multiply-accumulate of a weight.

    Args:
        model: Takes ``(waveform (1, 1, samples), rr (1, rr_features))``.
        samples: Beat length in samples.
        rr_features: Number of RR features.

    Returns:
        MACs per beat.
    """
    total = 0

    def conv_hook(module: nn.Conv1d, _inputs: object, output: torch.Tensor) -> None:
        nonlocal total
        per_output = (module.in_channels // module.groups) * module.kernel_size[0]
        total += output[0].numel() * per_output

    def linear_hook(module: nn.Linear, _inputs: object, _output: torch.Tensor) -> None:
        nonlocal total
        total += module.in_features * module.out_features

    handles = []
    for module in model.modules():
        if isinstance(module, nn.Conv1d):
            handles.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, nn.Linear):
            handles.append(module.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, 1, samples), torch.zeros(1, rr_features))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return total
