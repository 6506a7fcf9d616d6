"""RR features: computation, the configured columns, and their command-line names."""

import dataclasses

import numpy as np
import pytest

from ecgnas.data.prepare import prepare_beats
from ecgnas.data.preprocess import PreprocessConfig
from ecgnas.data.rr import (
    RELATIVE_RR_FEATURES,
    RR_FEATURES,
    check_rr_features,
    compute_rr_features,
    parse_rr_features,
    select_rr_features,
)
from ecgnas.exceptions import ConfigError


def naive_rr_features(times: list[float], local_beats: int) -> list[list[float]]:
    """Slow reference of the RR features, one beat at a time."""
    intervals = [b - a for a, b in zip(times, times[1:], strict=False)]
    mean = sum(intervals) / len(intervals)
    rows = []
    for i in range(len(times)):
        previous = intervals[i - 1] if i > 0 else intervals[0]
        following = intervals[i] if i < len(intervals) else intervals[-1]
        history = [
            intervals[j - 1] if j > 0 else intervals[0] for j in range(max(0, i - local_beats + 1), i + 1)
        ]
        local = sum(history) / len(history)
        rows.append(
            [
                previous,
                following,
                local,
                mean,
                previous / mean,
                following / mean,
                local / mean,
                previous / local,
                following / previous,
            ]
        )
    return rows


def test_rr_features_match_naive_reference():
    times = np.cumsum(np.random.default_rng(0).uniform(0.4, 1.4, size=40))
    fast = compute_rr_features(times, local_beats=10)
    assert fast.shape == (40, len(RR_FEATURES))
    np.testing.assert_allclose(fast, naive_rr_features(times.tolist(), 10), rtol=1e-12)


def test_select_rr_features_order():
    rr = np.arange(2 * len(RR_FEATURES), dtype=np.float32).reshape(2, -1)
    selected = select_rr_features(rr, ["rr_next_s", "rr_previous_s"])
    np.testing.assert_array_equal(selected, rr[:, [1, 0]])


def test_select_rr_features_unknown_name():
    rr = np.zeros((2, len(RR_FEATURES)), dtype=np.float32)
    with pytest.raises(ConfigError, match="'rr_magic'.*export the model again"):
        select_rr_features(rr, ["rr_magic"])


def test_relative_set_omits_seconds():
    assert tuple(name for name in RR_FEATURES if not name.endswith("_s")) == RELATIVE_RR_FEATURES
    assert PreprocessConfig().rr_features == RR_FEATURES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("relative", RELATIVE_RR_FEATURES),
        ("all", RR_FEATURES),
        (" rr_next_ratio , rr_previous_ratio ", ("rr_next_ratio", "rr_previous_ratio")),
    ],
)
def test_parse_rr_features(text, expected):
    assert parse_rr_features(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rr_magic", r"\['rr_magic'\] are unknown; give relative or all"),
        ("relative,rr_next_s", "do not mix a set name with feature names"),
        ("rr_next_ratio,rr_next_ratio", "given more than once"),
        (" , ", "no RR feature in ','"),
    ],
)
def test_parse_rr_features_rejects(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_rr_features(text)


def test_config_rejects_bad_feature_lists():
    with pytest.raises(ConfigError, match="is empty"):
        check_rr_features(())
    with pytest.raises(ConfigError, match="the string 'rr_next_ratio'"):
        PreprocessConfig(rr_features="rr_next_ratio")
    with pytest.raises(ConfigError, match="unknown"):
        PreprocessConfig(rr_features=("rr_previous_s", "heart_rate"))


def test_old_config_uses_every_feature():
    # Models saved before rr_features existed were trained on all nine columns.
    values = dataclasses.asdict(PreprocessConfig())
    del values["rr_features"]
    assert PreprocessConfig.from_dict(values).rr_features == RR_FEATURES
    relative = PreprocessConfig(rr_features=RELATIVE_RR_FEATURES)
    assert PreprocessConfig.from_dict(dataclasses.asdict(relative)).rr_features == RELATIVE_RR_FEATURES


def test_feature_choice_shares_cache(mitdb_dir, tmp_path):
    chosen = ("rr_next_previous_ratio", "rr_previous_s")
    assert PreprocessConfig(rr_features=chosen).fingerprint() == PreprocessConfig().fingerprint()

    every = prepare_beats(["100"], PreprocessConfig(rr_features=RR_FEATURES), mitdb_dir.parent, tmp_path)
    picked = prepare_beats(["100"], PreprocessConfig(rr_features=chosen), mitdb_dir.parent, tmp_path)
    assert picked.cached_records == ("100",)
    assert picked.rr.shape == (len(every), 2)
    np.testing.assert_array_equal(picked.rr, every.rr[:, [8, 0]])
    np.testing.assert_array_equal(picked.waveforms, every.waveforms)
