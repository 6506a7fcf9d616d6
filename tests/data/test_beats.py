"""Segmentation and preprocessing on real and synthetic records."""

import dataclasses

import numpy as np
import pytest

from ecgnas.data.beats import (
    NON_BEAT_SYMBOLS,
    RR_FEATURES,
    cut_windows,
    segment_record,
    subtract_record_median,
)
from ecgnas.data.preprocess import PreprocessConfig, preprocess_signal
from ecgnas.data.records import read_record
from ecgnas.exceptions import ConfigError, RecordError
from tests.data.conftest import write_synthetic_record


def test_real_record_window_shape(mitdb_dir):
    beats = segment_record(read_record(mitdb_dir, "100"), PreprocessConfig())
    assert beats.waveforms.shape == (len(beats.labels), 252)
    assert beats.waveforms.dtype == np.float32
    assert beats.rr.shape == (len(beats.labels), 9)


def test_real_record_peak_at_window_centre(mitdb_dir):
    # Record 100 is mostly normal beats with upright R waves in MLII, so the average
    # beat peaks at the annotated R position (90 samples = 0.25 s into the window).
    beats = segment_record(read_record(mitdb_dir, "100"), PreprocessConfig(subtract_record_median=False))
    mean_beat = beats.waveforms[beats.labels == 0].mean(axis=0)
    assert abs(int(np.argmax(mean_beat)) - 90) <= 5


def test_record_median_subtracted_by_default(mitdb_dir):
    # Record 119 has about 440 premature ventricular beats among 1,540 normal ones:
    # the median of the beats on time is a normal beat, so normal beats stay near
    # zero and ventricular beats, with their wide QRS, stand out.
    raw = read_record(mitdb_dir, "119")
    relative = segment_record(raw, PreprocessConfig())
    plain = segment_record(raw, PreprocessConfig(subtract_record_median=False))
    expected = subtract_record_median(plain.waveforms, plain.rr)
    np.testing.assert_allclose(relative.waveforms, expected, atol=1e-6)
    deviation = np.abs(relative.waveforms).mean(axis=1)
    normal, ventricular = deviation[relative.labels == 0], deviation[relative.labels == 2]
    assert len(ventricular) > 400
    assert np.median(ventricular) > 3 * np.median(normal)


def test_record_median_skips_premature_beats():
    # Three beats on time (shape 1) and five premature ones (shape 5), as in a record
    # where ectopic beats are the majority: the template is the on-time shape.
    waveforms = np.array([[1.0, 1.0]] * 3 + [[5.0, 5.0]] * 5, dtype=np.float32)
    rr = np.ones((8, len(RR_FEATURES)))
    rr[3:, RR_FEATURES.index("rr_previous_local_ratio")] = 0.7
    relative = subtract_record_median(waveforms, rr)
    np.testing.assert_allclose(relative[:3], 0.0)
    np.testing.assert_allclose(relative[3:], 4.0)


def test_record_median_all_premature_uses_every_beat():
    waveforms = np.array([[1.0], [2.0], [9.0]], dtype=np.float32)
    rr = np.full((3, len(RR_FEATURES)), 0.5)
    np.testing.assert_allclose(subtract_record_median(waveforms, rr)[:, 0], [-1.0, 0.0, 7.0])


def test_record_median_of_no_beats_is_empty():
    waveforms = np.zeros((0, 4), dtype=np.float32)
    relative = subtract_record_median(waveforms, np.zeros((0, len(RR_FEATURES))))
    assert relative.shape == (0, 4)
    assert relative.dtype == np.float32


def test_cut_windows_matches_segment_record(mitdb_dir):
    # Prediction cuts windows at the annotated beats with cut_windows; training uses
    # segment_record. Both must give the model the same inputs, record median included.
    config = PreprocessConfig()
    raw = read_record(mitdb_dir, "100")
    beats = segment_record(raw, config)
    signal, fs = preprocess_signal(raw.signal, raw.fs, config)
    is_beat = np.array([symbol not in NON_BEAT_SYMBOLS for symbol in raw.annotation_symbols])
    waveforms, rr, _ = cut_windows(signal, fs, raw.annotation_samples[is_beat], config)
    assert len(waveforms) == len(beats.labels)
    np.testing.assert_allclose(waveforms, beats.waveforms, atol=1e-6)
    np.testing.assert_allclose(rr, beats.rr, rtol=1e-6)


def test_saved_config_without_median_option_is_plain():
    # Models saved before subtract_record_median existed were trained on plain windows.
    values = dataclasses.asdict(PreprocessConfig())
    del values["subtract_record_median"]
    assert PreprocessConfig.from_dict(values).subtract_record_median is False
    assert PreprocessConfig.from_dict(dataclasses.asdict(PreprocessConfig())).subtract_record_median is True


def test_lead_selection_record_114(mitdb_dir):
    raw = read_record(mitdb_dir, "114")
    assert raw.lead == "MLII"
    import wfdb

    expected = wfdb.rdrecord(str(mitdb_dir / "114"), channels=[1]).p_signal[:, 0]
    np.testing.assert_array_equal(raw.signal, expected)


def test_paced_record_without_mlii(mitdb_dir):
    with pytest.raises(RecordError, match=r"record 102 has none of the requested leads \['MLII'\].*V5"):
        read_record(mitdb_dir, "102")


def test_lead_fallback_reads_v5(mitdb_dir):
    assert read_record(mitdb_dir, "102", ("MLII", "V5")).lead == "V5"


def test_annotation_past_end_dropped_and_counted(tmp_path):
    folder = write_synthetic_record(tmp_path, extra_annotations=[(7_300, "V"), (7_400, "+")])
    beats = segment_record(read_record(folder, "900"), PreprocessConfig())
    assert len(beats.labels) == 10
    assert beats.dropped.tolist() == [0, 0, 1, 0, 0]
    assert beats.non_beats == 1


def test_beat_near_edge_dropped(tmp_path):
    folder = write_synthetic_record(tmp_path, extra_annotations=[(20, "N")])
    beats = segment_record(read_record(folder, "900"), PreprocessConfig())
    assert beats.dropped.tolist() == [1, 0, 0, 0, 0]


def test_unknown_symbol_counted(tmp_path):
    folder = write_synthetic_record(tmp_path, beat_symbols="NNNBNN?N")
    beats = segment_record(read_record(folder, "900"), PreprocessConfig())
    assert beats.unknown_symbols == {"?": 1, "B": 1}
    assert len(beats.labels) == 6


def test_other_sampling_rate_resampled(tmp_path):
    folder = write_synthetic_record(tmp_path, fs=250, seconds=20.0)
    config = PreprocessConfig(target_fs=360.0, subtract_record_median=False)
    beats = segment_record(read_record(folder, "900"), config)
    assert beats.fs == 360.0
    assert beats.waveforms.shape == (10, 252)
    # The spike of each beat stays at the R position after resampling.
    assert abs(int(np.argmax(beats.waveforms.mean(axis=0))) - 90) <= 2


def test_native_rate_kept_without_target(tmp_path):
    folder = write_synthetic_record(tmp_path, fs=128, seconds=30.0)
    beats = segment_record(read_record(folder, "900"), PreprocessConfig(target_fs=None, band_hz=(0.5, 40.0)))
    assert beats.fs == 128.0
    assert beats.waveforms.shape[1] == round(0.25 * 128) + round(0.45 * 128)


def test_baseline_removed():
    fs = 360.0
    time = np.arange(0, 20, 1 / fs)
    drift = 2.0 + 0.5 * np.sin(2 * np.pi * 0.1 * time)
    filtered, _ = preprocess_signal(drift, fs, PreprocessConfig())
    assert np.abs(filtered).max() < 0.05


def test_band_above_nyquist_rejected():
    with pytest.raises(ConfigError, match="Nyquist"):
        preprocess_signal(np.zeros(1000), 64.0, PreprocessConfig(target_fs=None))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"leads": "MLII"}, "leads must be a non-empty sequence"),
        ({"target_fs": 0}, "target_fs must be positive"),
        ({"band_hz": (40.0, 0.5)}, "band_hz must be"),
        ({"window_after_s": 0}, "window_after_s"),
        ({"local_rr_beats": 0}, "local_rr_beats"),
    ],
)
def test_invalid_config_rejected(settings, message):
    with pytest.raises(ConfigError, match=message):
        PreprocessConfig(**settings)
