"""Signal preprocessing: resampling, baseline-wander removal and band-pass filtering.

Every length is given in seconds, milliseconds or hertz and converted with the
record's sampling rate, so records at 128, 257 or 360 Hz go through the same code.
The defaults follow de Chazal et al. (2004): two cascaded median filters of
200 ms and 600 ms estimate the baseline, which is subtracted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.ndimage
import scipy.signal

from ecgnas.data.rr import RR_FEATURES, check_rr_features
from ecgnas.exceptions import ConfigError


@dataclass(frozen=True)
class PreprocessConfig:
    """Settings that turn a raw record into segmented beats.

    Attributes:
        leads: Lead names to use, in order of preference; the first one a record
            has is taken. ``("MLII",)`` rejects records without MLII.
        target_fs: Sampling rate in Hz that every record is resampled to, or
            ``None`` to keep each record's own rate.
        baseline_windows_ms: Widths in milliseconds of the cascaded median filters
            whose output is the baseline; empty to skip baseline removal.
        band_hz: ``(low, high)`` cut-offs in Hz of the zero-phase Butterworth filter.
            ``low`` may be ``None`` for a low-pass filter; ``None`` skips filtering.
        filter_order: Order of the Butterworth filter (doubled by forward-backward filtering).
        window_before_s: Seconds of signal kept before each R peak.
        window_after_s: Seconds of signal kept after each R peak.
        local_rr_beats: Number of preceding RR intervals averaged into the local RR feature.
        subtract_record_median: Subtract from every beat window the sample-wise median of
            the non-premature beat windows of its record (see
            :func:`ecgnas.data.beats.subtract_record_median`), so that the model input is the
            beat's difference from the patient's usual beat rather than the patient's own
            QRS shape and amplitude.
            The median needs the whole record (or a long stretch of it) before the first
            beat can be classified.
        rr_features: Names of the RR features (see :data:`ecgnas.data.rr.RR_FEATURES`) given to
            the model, in order; all of them by default. The beat cache contains all of them,
            so changing this setting reuses it.
    """

    leads: tuple[str, ...] = ("MLII",)
    target_fs: float | None = 360.0
    baseline_windows_ms: tuple[float, ...] = (200.0, 600.0)
    band_hz: tuple[float | None, float] | None = (0.5, 40.0)
    filter_order: int = 4
    window_before_s: float = 0.25
    window_after_s: float = 0.45
    local_rr_beats: int = 10
    # On DS1 to DS2 this raised the macro-F1 of the Kachuee baseline from 59.4 to
    # 66.3 (quick preset, mean of 3 seeds, reports/ecg_comparison.md at commit 4d21c5b) and of a
    # linear model from 53.9 to 62.5 (``python -m benchmarks.rr_features``).
    subtract_record_median: bool = True
    rr_features: tuple[str, ...] = RR_FEATURES

    def __post_init__(self) -> None:
        if isinstance(self.leads, str) or not self.leads:
            raise ConfigError(
                f"leads must be a non-empty sequence of lead names, got {self.leads!r}; for example ('MLII',)"
            )
        object.__setattr__(self, "leads", tuple(self.leads))
        object.__setattr__(self, "baseline_windows_ms", tuple(self.baseline_windows_ms))
        if self.target_fs is not None and self.target_fs <= 0:
            raise ConfigError(f"target_fs must be positive or None, got {self.target_fs!r}")
        for width in self.baseline_windows_ms:
            if width <= 0:
                raise ConfigError(f"baseline_windows_ms must be positive, got {width!r}")
        if self.band_hz is not None:
            object.__setattr__(self, "band_hz", tuple(self.band_hz))
            low, high = self.band_hz
            if high <= 0 or (low is not None and not 0 < low < high):
                raise ConfigError(
                    f"band_hz must be (low, high) with 0 < low < high, or (None, high), got {self.band_hz!r}"
                )
        if self.filter_order < 1:
            raise ConfigError(f"filter_order must be at least 1, got {self.filter_order!r}")
        if self.window_before_s < 0 or self.window_after_s <= 0:
            raise ConfigError(
                "window_before_s must be >= 0 and window_after_s > 0, got "
                f"{self.window_before_s!r} and {self.window_after_s!r}"
            )
        if self.local_rr_beats < 1:
            raise ConfigError(f"local_rr_beats must be at least 1, got {self.local_rr_beats!r}")
        object.__setattr__(self, "rr_features", check_rr_features(self.rr_features))

    @classmethod
    def from_dict(cls, values: dict) -> PreprocessConfig:
        """Rebuild a configuration from ``dataclasses.asdict`` output, as stored in JSON files."""
        band = values.get("band_hz")
        return cls(
            **{
                # Models saved before these options existed were trained on plain windows
                # and on every RR feature.
                "subtract_record_median": False,
                "rr_features": RR_FEATURES,
                **values,
                "leads": tuple(values["leads"]),
                "baseline_windows_ms": tuple(values["baseline_windows_ms"]),
                "band_hz": None if band is None else tuple(band),
            }
        )

    def window_samples(self, fs: float) -> tuple[int, int]:
        """Return the samples kept before and after the R peak at rate ``fs``."""
        return round(self.window_before_s * fs), round(self.window_after_s * fs)

    def fingerprint(self) -> str:
        """Return a stable hash of the settings that shape the cached beats.

        ``rr_features`` is left out: the cache contains every RR feature, and the model's
        columns are chosen when the beats are loaded.
        """
        values = dataclasses.asdict(self)
        values.pop("rr_features")
        text = json.dumps(values, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def resample(signal: np.ndarray, fs: float, target_fs: float) -> np.ndarray:
    """Resample a 1D signal from ``fs`` to ``target_fs`` Hz with a polyphase filter."""
    if fs == target_fs:
        return signal
    ratio = Fraction(target_fs / fs).limit_denominator(1000)
    return scipy.signal.resample_poly(signal, ratio.numerator, ratio.denominator)


def remove_baseline(signal: np.ndarray, fs: float, windows_ms: tuple[float, ...]) -> np.ndarray:
    """Subtract the baseline estimated by cascaded median filters of the given widths."""
    if not windows_ms:
        return signal
    baseline = signal
    for width_ms in windows_ms:
        # Median filters need an odd width in samples.
        width = max(1, round(width_ms / 1000.0 * fs)) | 1
        baseline = scipy.ndimage.median_filter(baseline, size=width, mode="nearest")
    return signal - baseline


def band_filter(
    signal: np.ndarray, fs: float, band_hz: tuple[float | None, float] | None, order: int
) -> np.ndarray:
    """Apply a zero-phase Butterworth low-pass or band-pass filter."""
    if band_hz is None:
        return signal
    low, high = band_hz
    nyquist = fs / 2.0
    if high >= nyquist:
        raise ConfigError(
            f"band_hz high cut-off {high} Hz must be below the Nyquist frequency "
            f"{nyquist} Hz of a {fs} Hz signal; lower it or resample to a higher target_fs"
        )
    if low is None:
        sos = scipy.signal.butter(order, high, btype="lowpass", fs=fs, output="sos")
    else:
        sos = scipy.signal.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    return scipy.signal.sosfiltfilt(sos, signal)


def preprocess_signal(signal: np.ndarray, fs: float, config: PreprocessConfig) -> tuple[np.ndarray, float]:
    """Resample, remove baseline wander and filter one lead.

    Args:
        signal: Samples of one lead in millivolts, shape ``(n_samples,)``.
        fs: Sampling rate of ``signal`` in Hz.
        config: Preprocessing settings.

    Returns:
        The filtered signal in millivolts and its sampling rate in Hz.
    """
    out_fs = fs if config.target_fs is None else float(config.target_fs)
    signal = resample(np.asarray(signal, dtype=np.float64), fs, out_fs)
    signal = remove_baseline(signal, out_fs, config.baseline_windows_ms)
    signal = band_filter(signal, out_fs, config.band_hz, config.filter_order)
    return signal, out_fs
