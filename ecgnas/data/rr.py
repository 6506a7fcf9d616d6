"""RR-interval features of beats: their names, how they are computed, and which a model uses.

A beat's RR intervals are the times from the previous R peak to its own and from
its own to the next one. The features in seconds carry the patient's heart rate;
the ratios compare a beat with its own record and rhythm.
"""

from __future__ import annotations

import numpy as np

from ecgnas.exceptions import ConfigError

RR_FEATURES: tuple[str, ...] = (
    "rr_previous_s",
    "rr_next_s",
    "rr_local_s",
    "rr_record_mean_s",
    "rr_previous_ratio",
    "rr_next_ratio",
    "rr_local_ratio",
    "rr_previous_local_ratio",
    "rr_next_previous_ratio",
)
"""Names of the RR features in column order.

The first three ratios are divided by the record's mean RR. The last two
compare a beat with its own rhythm: a premature beat has a short previous
interval relative to the local mean, and often a compensatory pause after it.
On DS1 to DS2, a class-balanced logistic regression on RR features and the
waveform reached S-class F1 0.47 with these two ratios and 0.29 without them
(``python -m benchmarks.rr_features``).
"""

RR_DEFINITIONS = {
    "rr_previous_s": "seconds since the previous R peak; the first beat uses its next interval",
    "rr_next_s": "seconds to the next R peak; the last beat uses its previous interval",
    "rr_local_s": "mean rr_previous_s of this beat and the local_rr_beats - 1 before it",
    "rr_record_mean_s": "mean RR interval over the whole record",
    "rr_previous_ratio": "rr_previous_s / rr_record_mean_s",
    "rr_next_ratio": "rr_next_s / rr_record_mean_s",
    "rr_local_ratio": "rr_local_s / rr_record_mean_s",
    "rr_previous_local_ratio": "rr_previous_s / rr_local_s",
    "rr_next_previous_ratio": "rr_next_s / rr_previous_s",
}
"""Definition of each RR feature, for exported descriptions and ``ecgnas data features``."""

RR_INTERVALS: tuple[str, ...] = RR_FEATURES[:4]
"""The intervals in seconds that the ratios are built from."""

RELATIVE_RR_FEATURES: tuple[str, ...] = RR_FEATURES[4:]
"""The ratios of :data:`RR_FEATURES`, without the intervals in seconds (``--rr-features relative``).

The intervals in seconds let a network learn the heart rates of the training
patients, which can mislead it on new ones. Record 232 contains 1,382 of DS2's
1,837 S beats, and its slow sinus rhythm puts most of them about 0.73 s after
the previous beat. That is close to the median interval of N beats in DS1
(0.76 s). The measured trade-offs of this set are in
``reports/ecg_comparison_relative.md``.
"""

RR_FEATURE_SETS: dict[str, tuple[str, ...]] = {"relative": RELATIVE_RR_FEATURES, "all": RR_FEATURES}
"""Named feature sets that ``--rr-features`` accepts besides a list of names."""


def select_rr_features(rr: np.ndarray, names: list[str]) -> np.ndarray:
    """Return the columns of ``rr`` (all of :data:`RR_FEATURES`) named by ``names``, in that order.

    A model exported by an earlier version may use fewer RR features than this
    version computes, and its description lists the ones it expects.

    Raises:
        ConfigError: A name is not in :data:`RR_FEATURES`.
    """
    unknown = [name for name in names if name not in RR_FEATURES]
    if unknown:
        raise ConfigError(
            f"RR features {unknown} are unknown to this version of ecgnas, which computes "
            f"{list(RR_FEATURES)}; export the model again with this version"
        )
    return rr[:, [RR_FEATURES.index(name) for name in names]]


def check_rr_features(names: tuple[str, ...]) -> tuple[str, ...]:
    """Return ``names`` as a tuple after checking that each is a known RR feature, once.

    Raises:
        ConfigError: ``names`` is a string, empty, or has an unknown or repeated name.
    """
    if isinstance(names, str):
        raise ConfigError(
            f"rr_features must be a sequence of feature names, got the string {names!r}; "
            "for example ('rr_previous_ratio', 'rr_next_ratio')"
        )
    names = tuple(names)
    if not names:
        raise ConfigError(
            "rr_features is empty; name at least one RR feature, for example 'rr_previous_ratio'"
        )
    unknown = [name for name in names if name not in RR_FEATURES]
    if unknown:
        raise ConfigError(f"RR features {unknown} are unknown; choose from {list(RR_FEATURES)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"RR features {repeated} are given more than once; name each feature once")
    return names


def parse_rr_features(text: str) -> tuple[str, ...]:
    """Turn ``relative``, ``all`` or comma-separated feature names into a tuple of names.

    Raises:
        ConfigError: The text names an unknown or repeated feature, or none.
    """
    text = text.strip()
    if text in RR_FEATURE_SETS:
        return RR_FEATURE_SETS[text]
    choices = f"give {' or '.join(RR_FEATURE_SETS)}, or feature names separated by commas"
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise ConfigError(f"no RR feature in {text!r}; {choices}")
    unknown = [name for name in names if name not in RR_FEATURES]
    if unknown:
        raise ConfigError(
            f"RR features {unknown} are unknown; {choices} (`ecgnas data features` lists them), "
            "and do not mix a set name with feature names"
        )
    return check_rr_features(names)


def compute_rr_features(beat_times_s: np.ndarray, local_beats: int) -> np.ndarray:
    """Compute the RR features of every beat from its R-peak time in seconds.

    The first beat has no previous interval and takes its next one; the last beat
    takes its previous one. The local mean averages the previous intervals of the
    current beat and the ``local_beats - 1`` beats before it.

    Args:
        beat_times_s: R-peak times in seconds, increasing, shape ``(n_beats,)``, ``n_beats >= 2``.
        local_beats: Number of intervals in the local mean.

    Returns:
        Features in :data:`RR_FEATURES` order, shape ``(n_beats, 9)``, float64.
    """
    intervals = np.diff(beat_times_s)
    previous = np.concatenate([intervals[:1], intervals])
    following = np.concatenate([intervals, intervals[-1:]])

    # Running mean over a trailing window, shorter at the start of the record.
    cumulative = np.concatenate([[0.0], np.cumsum(previous)])
    index = np.arange(len(previous))
    start = np.maximum(0, index - local_beats + 1)
    local = (cumulative[index + 1] - cumulative[start]) / (index + 1 - start)

    record_mean = float(intervals.mean())
    mean_column = np.full_like(previous, record_mean)
    return np.stack(
        [
            previous,
            following,
            local,
            mean_column,
            previous / record_mean,
            following / record_mean,
            local / record_mean,
            previous / local,
            following / previous,
        ],
        axis=1,
    )
