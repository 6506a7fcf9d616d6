"""BeatAugmenter: each perturbation follows its setting, reproducibly."""

import pytest
import torch

from ecgnas.training.augment import BeatAugmenter
from ecgnas.training.config import TrainConfig


def batch(beats: int = 16, samples: int = 40, n_rr: int = 9):
    generator = torch.Generator().manual_seed(0)
    waveform = torch.randn(beats, 1, samples, generator=generator)
    rr = torch.randn(beats, n_rr, generator=generator)
    return waveform, rr


def augment(**settings):
    waveform, rr = batch()
    new_waveform, new_rr = BeatAugmenter(TrainConfig(**settings))(waveform, rr)
    return waveform, rr, new_waveform, new_rr


def test_off_by_default():
    assert not BeatAugmenter(TrainConfig()).enabled


@pytest.mark.parametrize(
    "settings",
    [{"augment_scale": 0.2}, {"augment_shift": 3}, {"augment_noise": 0.05}, {"augment_rr_noise": 0.05}],
)
def test_any_setting_enables(settings):
    assert BeatAugmenter(TrainConfig(**settings)).enabled


def test_scale_per_beat_within_range():
    waveform, rr, new_waveform, new_rr = augment(augment_scale=0.2)
    ratio = (new_waveform / waveform).squeeze(1)  # (B, L)
    per_beat = ratio[:, 0]
    torch.testing.assert_close(ratio, per_beat.unsqueeze(1).expand_as(ratio))
    assert per_beat.min() >= 0.8
    assert per_beat.max() <= 1.2
    assert per_beat.std() > 0.01
    assert torch.equal(new_rr, rr)


def test_shift_fills_with_edge_sample():
    waveform, _, new_waveform, _ = augment(augment_shift=3)
    samples = waveform.shape[-1]
    offsets = []
    for before, after in zip(waveform[:, 0], new_waveform[:, 0], strict=True):
        matches = []
        for offset in range(-3, 4):
            index = (torch.arange(samples) - offset).clamp(0, samples - 1)
            if torch.equal(before[index], after):
                matches.append(offset)
        assert len(matches) == 1
        offsets.append(matches[0])
    assert len(set(offsets)) > 1


def test_noise_has_the_requested_size():
    waveform, rr, new_waveform, new_rr = augment(augment_noise=0.05)
    residual = (new_waveform - waveform).flatten().numpy()
    assert residual.std() == pytest.approx(0.05, rel=0.15)
    assert torch.equal(new_rr, rr)


def test_rr_noise_leaves_the_waveform():
    waveform, rr, new_waveform, new_rr = augment(augment_rr_noise=0.1)
    assert torch.equal(new_waveform, waveform)
    assert (new_rr - rr).std().item() == pytest.approx(0.1, rel=0.3)


def test_draws_follow_the_seed():
    settings = {"augment_scale": 0.2, "augment_shift": 3, "augment_noise": 0.05, "augment_rr_noise": 0.05}
    first = augment(**settings, seed=4)
    second = augment(**settings, seed=4)
    other = augment(**settings, seed=5)
    for a, b in zip(first, second, strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(first[2], other[2])


def test_global_random_state_untouched():
    state = torch.get_rng_state()
    augment(augment_scale=0.2, augment_shift=3, augment_noise=0.05, augment_rr_noise=0.05)
    assert torch.equal(torch.get_rng_state(), state)


def test_inputs_are_not_modified_in_place():
    waveform, rr = batch()
    original_waveform, original_rr = waveform.clone(), rr.clone()
    BeatAugmenter(TrainConfig(augment_scale=0.2, augment_noise=0.1, augment_rr_noise=0.1))(waveform, rr)
    assert torch.equal(waveform, original_waveform)
    assert torch.equal(rr, original_rr)
