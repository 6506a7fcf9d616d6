"""Weight averaging over the last epochs of a training run.

Stochastic weight averaging (Izmailov et al., 2018, "Averaging weights leads to
wider optima and better generalization", UAI) keeps the mean of the weights
reached at the end of several epochs instead of the last epoch's weights. With a
constant learning rate the last epochs move around a minimum, and their mean lies
nearer its centre. So the averaged model depends less on the last few batches.

Batch-norm running statistics of averaged weights are not the average of the
running statistics, so :func:`refresh_batch_norm` measures them again with one
pass over the training beats.
"""

from __future__ import annotations

import torch
from torch import nn

BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


class WeightAverage:
    """Running mean of a module's floating-point weights and buffers.

    Integer buffers, such as batch norm's batch counter, keep the value of the
    last module added.
    """

    def __init__(self) -> None:
        self.count = 0
        self._mean: dict[str, torch.Tensor] = {}

    def add(self, module: nn.Module) -> None:
        """Fold the current state of ``module`` into the mean."""
        self.count += 1
        for name, value in module.state_dict().items():
            value = value.detach()
            if name not in self._mean or not value.is_floating_point():
                self._mean[name] = value.clone()
            else:
                self._mean[name] += (value - self._mean[name]) / self.count

    def apply_to(self, module: nn.Module) -> None:
        """Load the mean into ``module``.

        Raises:
            RuntimeError: Nothing was added yet.
        """
        if self.count == 0:
            raise RuntimeError("no weights to average: call add() after at least one epoch")
        module.load_state_dict(self._mean)


def refresh_batch_norm(
    module: nn.Module,
    loader: torch.utils.data.DataLoader,
    device: torch.device,
    use_amp: bool = False,
) -> None:
    """Recompute the running statistics of every batch norm in ``module`` on ``loader``'s beats.

    With momentum ``None`` each statistic is the plain mean over all batches, not an
    exponential average weighted toward the last ones. A module without batch norm is
    left unchanged.
    """
    norms = [layer for layer in module.modules() if isinstance(layer, BATCH_NORMS)]
    if not norms:
        return
    momenta = [layer.momentum for layer in norms]
    for layer in norms:
        layer.reset_running_stats()
        layer.momentum = None

    was_training = module.training
    module.train()
    with torch.no_grad():
        for waveform, rr, _ in loader:
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                module(waveform.to(device), rr.to(device))
    module.train(was_training)

    for layer, momentum in zip(norms, momenta, strict=True):
        layer.momentum = momentum
