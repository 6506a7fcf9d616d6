"""PyTorch datasets and loaders over a :class:`~ecgnas.data.beatset.BeatSet`.

Normalisation statistics and class weights are fitted on the training split only
and then applied unchanged to validation and test beats, so nothing about the
held-out patients leaks into training.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.beatset import BeatSet
from ecgnas.exceptions import ConfigError


class MissingClassWarning(UserWarning):
    """An AAMI class has no beats in the split that weights or sampling are fitted on."""


@dataclass(frozen=True)
class Normalizer:
    """Standardisation of waveforms (one mean and scale) and RR features (per column).

    Attributes:
        waveform_mean: Mean of all waveform samples, millivolts.
        waveform_std: Standard deviation of all waveform samples, millivolts.
        rr_mean: Mean of each RR feature, shape ``(n_rr,)``.
        rr_std: Standard deviation of each RR feature, shape ``(n_rr,)``.
    """

    waveform_mean: float
    waveform_std: float
    rr_mean: tuple[float, ...]
    rr_std: tuple[float, ...]

    @classmethod
    def fit(cls, beats: BeatSet) -> Normalizer:
        """Compute the statistics of a training split."""
        if len(beats) == 0:
            raise ConfigError("cannot fit a Normalizer on an empty beat set")
        rr_std = beats.rr.std(axis=0, dtype=np.float64)
        return cls(
            waveform_mean=float(beats.waveforms.mean(dtype=np.float64)),
            waveform_std=float(beats.waveforms.std(dtype=np.float64)) or 1.0,
            rr_mean=tuple(float(value) for value in beats.rr.mean(axis=0, dtype=np.float64)),
            # A constant feature keeps scale 1 instead of dividing by zero.
            rr_std=tuple(float(value) if value > 0 else 1.0 for value in rr_std),
        )

    @classmethod
    def from_dict(cls, values: dict) -> Normalizer:
        """Rebuild a normaliser from ``dataclasses.asdict`` output, as stored in JSON files."""
        return cls(
            float(values["waveform_mean"]),
            float(values["waveform_std"]),
            tuple(float(v) for v in values["rr_mean"]),
            tuple(float(v) for v in values["rr_std"]),
        )

    def waveforms(self, values: np.ndarray) -> np.ndarray:
        """Standardise waveforms of shape ``(n_beats, window)``."""
        return ((values - self.waveform_mean) / self.waveform_std).astype(np.float32)

    def rr(self, values: np.ndarray) -> np.ndarray:
        """Standardise RR features of shape ``(n_beats, n_rr)``."""
        mean = np.asarray(self.rr_mean, dtype=np.float32)
        std = np.asarray(self.rr_std, dtype=np.float32)
        return ((values - mean) / std).astype(np.float32)


class BeatDataset(Dataset):
    """Beats as ``(waveform, rr, label)`` tensors of shapes ``(1, window)``, ``(n_rr,)`` and ``()``."""

    def __init__(self, beats: BeatSet, normalizer: Normalizer) -> None:
        self.waveforms = torch.from_numpy(normalizer.waveforms(beats.waveforms)).unsqueeze(1)
        self.rr = torch.from_numpy(normalizer.rr(beats.rr))
        self.labels = torch.from_numpy(beats.labels.astype(np.int64))

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.waveforms[index], self.rr[index], self.labels[index]


def class_weights(labels: np.ndarray, n_classes: int = len(AAMI_CLASSES), power: float = 1.0) -> np.ndarray:
    """Return inverse-frequency class weights, scaled so that the mean weight per beat is 1.

    Each present class ``c`` with ``n_c`` beats is weighted in proportion to
    ``(1 / n_c) ** power``: 1 gives inverse frequency, 0.5 its square root, 0 equal weights.
    A class with no beats gets weight 0 and a :class:`MissingClassWarning`.
    """
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    missing = [AAMI_CLASSES[i] for i in range(n_classes) if counts[i] == 0]
    if missing:
        warnings.warn(
            f"AAMI classes {missing} have no beats in the training split; their weight is 0",
            MissingClassWarning,
            stacklevel=2,
        )
    present = counts > 0
    weights = np.zeros(n_classes)
    weights[present] = counts[present].sum() / (present.sum() * counts[present] ** power)
    if power != 1:
        # Rescale so that the mean weight per beat stays 1; at power 1 it already is.
        weights *= counts.sum() / (counts * weights).sum()
    return weights


def make_loader(
    beats: BeatSet,
    normalizer: Normalizer,
    batch_size: int,
    shuffle: bool = False,
    balanced: bool = False,
    seed: int = 0,
) -> DataLoader:
    """Build a loader over ``beats``.

    Args:
        beats: Beats to serve.
        normalizer: Statistics fitted on the training split.
        batch_size: Beats per batch.
        shuffle: Whether to shuffle each epoch (ignored when ``balanced``).
        balanced: Whether to draw beats with replacement so that every present class
            is equally likely, one epoch being ``len(beats)`` draws.
        seed: Seed of the shuffling or sampling generator.
    """
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size!r}")
    dataset = BeatDataset(beats, normalizer)
    generator = torch.Generator().manual_seed(seed)
    if balanced:
        per_beat = class_weights(beats.labels)[beats.labels]
        sampler = WeightedRandomSampler(
            torch.as_tensor(per_beat, dtype=torch.double),
            num_samples=len(beats),
            replacement=True,
            generator=generator,
        )
        return DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator)
