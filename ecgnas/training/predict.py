"""Class probabilities and metrics of a trained model on a beat set."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.beatset import BeatSet
from ecgnas.data.dataset import Normalizer, make_loader
from ecgnas.training.device import resolve_device
from ecgnas.training.metrics import MACRO_CLASSES, AamiMetrics, evaluate_predictions


class NonFiniteOutputError(RuntimeError):
    """The model returned NaN or infinite logits."""


def model_device(model: nn.Module) -> torch.device:
    """Return the device of the model's first parameter or buffer, the CPU if it has none."""
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


@torch.no_grad()
def collect_logits(
    model: nn.Module, loader: DataLoader, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the model in evaluation mode over a loader, in float32.

    The model's training flag is restored afterwards.

    Returns:
        Logits of shape ``(n_beats, n_classes)`` and labels of shape ``(n_beats,)``,
        both on the CPU.

    Raises:
        NonFiniteOutputError: A logit is NaN or infinite.
    """
    was_training = model.training
    model.eval()
    logits, labels = [], []
    try:
        for waveform, rr, label in loader:
            # waveform (B, 1, L), rr (B, n_rr) -> (B, n_classes)
            output = model(waveform.to(device), rr.to(device)).float()
            logits.append(output.cpu())
            labels.append(label)
    finally:
        model.train(was_training)
    stacked = torch.cat(logits)
    if not torch.isfinite(stacked).all():
        raise NonFiniteOutputError(
            f"model returned non-finite logits for {int((~torch.isfinite(stacked)).any(dim=1).sum())} "
            f"of {stacked.shape[0]} beats"
        )
    return stacked, torch.cat(labels)


def predict_proba(
    model: nn.Module,
    beats: BeatSet,
    normalizer: Normalizer,
    batch_size: int = 1024,
    device: str | None = None,
) -> np.ndarray:
    """Return the class probabilities of every beat.

    Args:
        model: Module with ``forward(waveform (B, 1, L), rr (B, n_rr)) -> logits (B, n_classes)``.
        beats: Beats to classify.
        normalizer: Statistics of the split the model was trained on.
        batch_size: Beats per forward pass.
        device: Device to run on; ``None`` keeps the model where it is. Any other value
            (``auto``, ``cpu``, ``cuda``, ``cuda:N``) moves the model there.

    Returns:
        Softmax probabilities, shape ``(n_beats, n_classes)``, float32, rows summing to 1.

    Raises:
        NonFiniteOutputError: The model returned NaN or infinite logits.
    """
    target = model_device(model) if device is None else resolve_device(device)
    model.to(target)
    loader = make_loader(beats, normalizer, batch_size=batch_size)
    logits, _ = collect_logits(model, loader, target)
    return torch.softmax(logits, dim=1).numpy()


def evaluate_model(
    model: nn.Module,
    beats: BeatSet,
    normalizer: Normalizer,
    batch_size: int = 1024,
    device: str | None = None,
    macro_classes: Sequence[str] = MACRO_CLASSES,
) -> AamiMetrics:
    """Classify ``beats`` with the most probable class and compute the AAMI metrics.

    Arguments are those of :func:`predict_proba`, plus the classes the macro-F1 averages.
    """
    probabilities = predict_proba(model, beats, normalizer, batch_size=batch_size, device=device)
    return evaluate_predictions(beats.labels, probabilities.argmax(axis=1), AAMI_CLASSES, macro_classes)
