"""Plain deep 1D CNN in the style of Acharya et al. (2017).

Reference: U. R. Acharya, S. L. Oh, Y. Hagiwara, J. H. Tan, M. Adam, A. Gertych and
R. S. Tan, "A deep convolutional neural network model to classify heartbeats",
Computers in Biology and Medicine 89:389-396, 2017.

The published network has nine layers with leaky ReLU activations. Three
convolutions have 5, 10 and 20 filters of sizes 3, 4 and 4, and each is followed by
max-pooling of size 2 and stride 2. Fully connected layers of 30, 20 and 5 units
follow.

Departures from the paper:

- Input: 252 samples at 360 Hz instead of 260, which leaves 29 time steps after the
  third pooling.
- RR features: the ``n_rr`` RR-interval features are concatenated with the
  flattened convolutional features before the first fully connected layer; the
  paper uses the waveform only.
- Output: logits, not probabilities; the loss applies the softmax.

NOTE: the layer sizes were written from the paper's description as summarised above;
unpadded convolutions and a leaky-ReLU slope of 0.01 are our reading of it.
"""

from __future__ import annotations

import torch
from torch import nn

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.rr import RR_FEATURES
from ecgnas.exceptions import ConfigError

FILTERS: tuple[int, ...] = (5, 10, 20)
KERNEL_SIZES: tuple[int, ...] = (3, 4, 4)
HIDDEN: tuple[int, ...] = (30, 20)
NEGATIVE_SLOPE = 0.01


class AcharyaCNN(nn.Module):
    """Three convolution and pooling stages, then three fully connected layers.

    Args:
        window: Samples per beat window.
        n_rr: RR features per beat.
        n_classes: Output classes.

    Shapes:
        waveform ``(B, 1, window)``, rr ``(B, n_rr)``, output logits ``(B, n_classes)``.
    """

    def __init__(
        self, window: int = 252, n_rr: int = len(RR_FEATURES), n_classes: int = len(AAMI_CLASSES)
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        in_channels, length = 1, window
        for filters, kernel_size in zip(FILTERS, KERNEL_SIZES, strict=True):
            layers += [
                nn.Conv1d(in_channels, filters, kernel_size),
                nn.LeakyReLU(NEGATIVE_SLOPE),
                nn.MaxPool1d(kernel_size=2, stride=2),
            ]
            in_channels, length = filters, (length - kernel_size + 1) // 2
        if length < 1:
            raise ConfigError(
                f"window {window} is too short for three convolution and pooling stages; "
                "use a longer beat window"
            )
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Linear(in_channels * length + n_rr, HIDDEN[0]),
            nn.LeakyReLU(NEGATIVE_SLOPE),
            nn.Linear(HIDDEN[0], HIDDEN[1]),
            nn.LeakyReLU(NEGATIVE_SLOPE),
            nn.Linear(HIDDEN[1], n_classes),
        )

    def forward(self, waveform: torch.Tensor, rr: torch.Tensor) -> torch.Tensor:
        features = torch.flatten(self.features(waveform), start_dim=1)  # (B, 20 * length)
        return self.head(torch.cat([features, rr], dim=1))  # (B, n_classes)
