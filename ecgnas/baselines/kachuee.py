"""Residual 1D CNN in the style of Kachuee, Fazeli and Sarrafzadeh (2018).

Reference: M. Kachuee, S. Fazeli and M. Sarrafzadeh, "ECG Heartbeat Classification:
A Deep Transferable Representation", IEEE International Conference on Healthcare
Informatics (ICHI), 2018, arXiv:1805.00794.

The published network reads one beat through a convolution with 32 filters of size
5, then five residual blocks. Each block is a convolution, ReLU, a second convolution,
the skip addition, ReLU and max-pooling of size 5 and stride 2, and every convolution
has 32 filters of size 5. Two fully connected layers of 32 units and a softmax output
follow.

Departures from the paper:

- Input: 252 samples at 360 Hz (0.7 s around the R peak) instead of 187 samples at
  125 Hz, so the five poolings leave 4 time steps instead of 2.
- RR features: the ``n_rr`` RR-interval features are concatenated with the
  flattened convolutional features before the first fully connected layer; the
  paper uses the waveform only.
- Output: logits, not probabilities; the loss applies the softmax.

NOTE: the layer sizes were written from the paper's description as summarised above;
padding (``same`` for the convolutions, none for the poolings) is our reading of it.
"""

from __future__ import annotations

import torch
from torch import nn

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.rr import RR_FEATURES
from ecgnas.exceptions import ConfigError


class ResidualBlock(nn.Module):
    """Two same-length convolutions with an identity skip, then ReLU and max-pooling.

    Shapes:
        input ``(B, channels, L)``, output ``(B, channels, (L - 5) // 2 + 1)``.
    """

    def __init__(self, channels: int = 32, kernel_size: int = 5) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)
        self.pool = nn.MaxPool1d(kernel_size=5, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = self.conv2(torch.relu(self.conv1(x)))
        return self.pool(torch.relu(x + residual))


class KachueeResNet(nn.Module):
    """Residual 1D CNN for single-beat classification with RR features.

    Args:
        window: Samples per beat window.
        n_rr: RR features per beat.
        n_classes: Output classes.
        channels: Filters of every convolution (32 in the paper).
        n_blocks: Residual blocks (5 in the paper).
        hidden: Units of each of the two fully connected layers (32 in the paper).

    Shapes:
        waveform ``(B, 1, window)``, rr ``(B, n_rr)``, output logits ``(B, n_classes)``.
    """

    def __init__(
        self,
        window: int = 252,
        n_rr: int = len(RR_FEATURES),
        n_classes: int = len(AAMI_CLASSES),
        channels: int = 32,
        n_blocks: int = 5,
        hidden: int = 32,
    ) -> None:
        super().__init__()
        self.stem = nn.Conv1d(1, channels, kernel_size=5, padding=2)
        self.blocks = nn.Sequential(*[ResidualBlock(channels) for _ in range(n_blocks)])
        length = window
        for _ in range(n_blocks):
            length = (length - 5) // 2 + 1
        if length < 1:
            raise ConfigError(
                f"window {window} is too short for {n_blocks} poolings of size 5 and stride 2; "
                "use a longer beat window or fewer blocks"
            )
        self.head = nn.Sequential(
            nn.Linear(channels * length + n_rr, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, waveform: torch.Tensor, rr: torch.Tensor) -> torch.Tensor:
        features = self.blocks(self.stem(waveform))  # (B, channels, length)
        features = torch.flatten(features, start_dim=1)  # (B, channels * length)
        return self.head(torch.cat([features, rr], dim=1))  # (B, n_classes)
