"""Subsets of a :class:`~ecgnas.data.beatset.BeatSet` chosen beat by beat."""

from __future__ import annotations

import numpy as np

from ecgnas.data.aami import CLASS_INDEX
from ecgnas.data.beatset import BeatSet
from ecgnas.exceptions import ConfigError


def take_beats(beats: BeatSet, mask: np.ndarray) -> BeatSet:
    """Return the beats where ``mask`` is true, keeping their order and record bookkeeping.

    Args:
        beats: Beats to choose from.
        mask: Boolean array of shape ``(n_beats,)``.

    Raises:
        ConfigError: ``mask`` is not a boolean array of one entry per beat.
    """
    mask = np.asarray(mask)
    if mask.dtype != np.bool_ or mask.shape != (len(beats),):
        raise ConfigError(
            f"mask must be a boolean array of shape ({len(beats)},), got dtype {mask.dtype} "
            f"and shape {mask.shape}"
        )
    return BeatSet(
        fs=beats.fs,
        waveforms=beats.waveforms[mask],
        rr=beats.rr[mask],
        labels=beats.labels[mask],
        positions=beats.positions[mask],
        record_names=beats.record_names,
        record_index=beats.record_index[mask],
        dropped=dict(beats.dropped),
        unknown_symbols=dict(beats.unknown_symbols),
        non_beats=dict(beats.non_beats),
        cached_records=beats.cached_records,
        built_records=beats.built_records,
    )


def subsample_normal(beats: BeatSet, fraction: float, rng: np.random.Generator) -> BeatSet:
    """Keep a random share of the N-class beats and every beat of the other classes.

    Args:
        beats: Beats to subsample.
        fraction: Share of N beats kept, in ``(0, 1]``; at least one N beat is kept when
            the set has any.
        rng: Generator that draws the kept beats.

    Raises:
        ConfigError: ``fraction`` is outside ``(0, 1]``.
    """
    if not 0 < fraction <= 1:
        raise ConfigError(f"fraction must be in (0, 1], got {fraction!r}; use 1 to keep every N beat")
    normal = np.flatnonzero(beats.labels == CLASS_INDEX["N"])
    if fraction == 1 or normal.size == 0:
        return beats
    n_keep = max(1, round(fraction * normal.size))
    kept = rng.choice(normal, size=n_keep, replace=False)
    mask = beats.labels != CLASS_INDEX["N"]
    mask[kept] = True
    return take_beats(beats, mask)
