"""Random perturbations of training beats, so that a model learns less of each DS1 patient.

In the inter-patient protocol the test patients differ from the training
patients in gain, electrode placement and noise. Perturbing the training beats
in those directions is a common regulariser. On the quick preset it left Kachuee's
DS2 macro-F1 at 66.1 (66.3 without, mean of 3 seeds), so the presets leave it off.

Every perturbation acts on standardised inputs (see
:class:`~ecgnas.data.dataset.Normalizer`), so its size is in units of the
training set's standard deviation. The draws come from a generator seeded by the
run's seed, so a run stays reproducible and the global random state is untouched.
"""

from __future__ import annotations

import torch

from ecgnas.training.config import TrainConfig


class BeatAugmenter:
    """Random perturbations of standardised beats: amplitude, time shift, waveform and RR noise.

    Each beat's waveform is multiplied by a factor drawn uniformly from
    ``[1 - augment_scale, 1 + augment_scale]``. It is shifted in time by a whole
    number of samples drawn uniformly from ``[-augment_shift, augment_shift]``, and
    the edge sample fills the gap. Every sample then gets Gaussian noise of standard
    deviation ``augment_noise``, and the RR features get Gaussian noise of standard
    deviation ``augment_rr_noise``.

    Args:
        config: The run's settings; the ``augment_*`` fields and ``seed`` are read.

    Attributes:
        enabled: Whether any perturbation is switched on.
    """

    def __init__(self, config: TrainConfig) -> None:
        self.enabled = config.augments
        self.scale = config.augment_scale
        self.shift = config.augment_shift
        self.noise = config.augment_noise
        self.rr_noise = config.augment_rr_noise
        # A different stream from the shuffling and subsampling draws of the same seed.
        self.generator = torch.Generator().manual_seed(config.seed + 7919)

    def __call__(self, waveform: torch.Tensor, rr: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return perturbed copies of ``waveform`` ``(B, 1, L)`` and ``rr`` ``(B, n_rr)``."""
        batch, _, samples = waveform.shape
        if self.scale > 0:
            factor = 1.0 + self.scale * (2.0 * self._uniform(batch, 1, 1) - 1.0)
            waveform = waveform * factor.to(waveform.device)
        if self.shift > 0:
            offsets = torch.randint(-self.shift, self.shift + 1, (batch, 1), generator=self.generator)
            # Output sample t reads input sample t - offset, clamped to the window.
            index = (torch.arange(samples).unsqueeze(0) - offsets).clamp(0, samples - 1)
            waveform = torch.gather(waveform, 2, index.unsqueeze(1).to(waveform.device))
        if self.noise > 0:
            waveform = waveform + self.noise * self._normal(waveform.shape).to(waveform.device)
        if self.rr_noise > 0:
            rr = rr + self.rr_noise * self._normal(rr.shape).to(rr.device)
        return waveform, rr

    def _uniform(self, *shape: int) -> torch.Tensor:
        return torch.rand(shape, generator=self.generator)

    def _normal(self, shape: torch.Size) -> torch.Tensor:
        return torch.randn(tuple(shape), generator=self.generator)
