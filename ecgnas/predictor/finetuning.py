"""Stage 2: full-batch training of a scoring model on labelled architectures.

The labelled set of a search is small (tens to a few hundred cells), so each
step uses all of it: the pairwise and contrastive losses need every pair, and
one batch of a few hundred small graphs costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from ecgnas.predictor.config import FinetuneConfig
from ecgnas.predictor.losses import finetune_loss


def scoring_head(width_in: int, hidden: int) -> nn.Sequential:
    """Two-layer MLP from an embedding ``(B, width_in)`` to a score ``(B, 1)``."""
    return nn.Sequential(nn.Linear(width_in, hidden), nn.ReLU(), nn.Linear(hidden, 1))


def train_scorer(
    predict: Callable[[], torch.Tensor],
    parameter_groups: Iterable[dict[str, object]],
    modules: Iterable[nn.Module],
    targets: torch.Tensor,
    config: FinetuneConfig,
) -> list[float]:
    """Minimise the configured loss of ``predict()`` against ``targets``.

    Args:
        predict: Returns the scores of the whole labelled set, shape ``(n,)``,
            computed by ``modules`` so that gradients reach them.
        parameter_groups: Adam parameter groups with their ``lr``.
        modules: Put in training mode here (dropout on) and in evaluation mode at the end.
        targets: Metrics, higher is better, shape ``(n,)``, on the modules' device.
        config: Loss, steps, weight decay and temperature.

    Returns:
        The loss after each step.
    """
    modules = list(modules)
    loss_function = finetune_loss(config.loss)
    # foreach=True batches the update over all tensors: the same numbers, fewer small kernels on CPU.
    optimiser = torch.optim.AdamW(list(parameter_groups), weight_decay=config.weight_decay, foreach=True)
    for module in modules:
        module.train()
    history = []
    for _ in range(config.epochs):
        loss = loss_function(predict(), targets, config.temperature)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        history.append(loss.item())
    for module in modules:
        module.eval()
    return history
