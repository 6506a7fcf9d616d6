"""Command-line options shared by several command groups."""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from decimal import Decimal, InvalidOperation

from ecgnas.exceptions import ConfigError
from ecgnas.pipelines.ecg_config import FINAL_AUGMENTATION


def add_data_options(parser: argparse.ArgumentParser, from_run: str | None = None) -> None:
    """Add ``--data-dir``, ``--cache-dir`` and ``--no-download``.

    ``from_run`` names the run whose folders are the defaults, for commands that read one.
    """
    data_default = f"the {from_run}'s" if from_run else "$ECGNAS_DATA_DIR, else ./data"
    cache_default = f"the {from_run}'s" if from_run else "$ECGNAS_CACHE_DIR, else ~/.cache/ecgnas"
    parser.add_argument(
        "--data-dir",
        help=f"data directory whose mitdb/ folder contains the MIT-BIH records (default: {data_default})",
    )
    parser.add_argument("--cache-dir", help=f"directory for prepared beats (default: {cache_default})")
    parser.add_argument(
        "--no-download",
        action="store_true",
        help="fail instead of downloading the database from PhysioNet when no records are found",
    )


def add_augment_option(parser: argparse.ArgumentParser, default: str = "off") -> None:
    """Add ``--augment``, which perturbs the training beats of final training."""
    parser.add_argument(
        "--augment",
        action="store_true",
        help="perturb the final training's beats: amplitude 0.8-1.2, shifts up to 6 samples, "
        f"noise of 0.05 standard deviations on the waveform and the RR features (default: {default})",
    )


def add_class_weight_option(parser: argparse.ArgumentParser, default: str = "1") -> None:
    """Add ``--class-weight-power``, the exponent of final training's inverse-frequency class weights."""
    parser.add_argument(
        "--class-weight-power",
        type=_class_weight_power,
        metavar="P",
        help="weight each class by (1 / its training beats) ** P in final training: 1 is inverse "
        f"frequency, 0.5 its square root, 0 equal weights (default: {default})",
    )


def add_rr_features_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--rr-features``, the RR features given to every model."""
    parser.add_argument(
        "--rr-features",
        type=_rr_features,
        metavar="relative|all|NAMES",
        help="RR features given to every model: all (default), relative (the five ratios, without the "
        "intervals in seconds), or names separated by commas; `ecgnas data features` lists them",
    )


def _rr_features(text: str) -> tuple[str, ...]:
    from ecgnas.data.rr import parse_rr_features

    try:
        return parse_rr_features(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def final_training_fields(args: argparse.Namespace) -> dict[str, object]:
    """Return the final training's TrainConfig fields set by ``--augment`` and ``--class-weight-power``."""
    fields: dict[str, object] = dict(FINAL_AUGMENTATION) if args.augment else {}
    if args.class_weight_power is not None:
        fields["class_weight_power"] = args.class_weight_power
    return fields


def _class_weight_power(text: str) -> float:
    try:
        power = float(text)
    except ValueError:
        power = math.nan
    if not math.isfinite(power) or power < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a finite number of 0 or more; use 0.5 for square-root weights"
        )
    return power


def check_at_least_one(option: str, value: int | None, unit: str) -> None:
    """Reject a count option below 1 with a message that names the option, not the config field."""
    if value is not None and value < 1:
        raise ConfigError(f"{option} is {value}; use 1 or more {unit}")


COUNT_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000}
"""Multipliers of the suffixes that :func:`parse_count` accepts, case-insensitive."""


def parse_count(option: str, text: str) -> int:
    """Read a positive count such as ``57349``, ``60k`` or ``1.5M``.

    Raises:
        ConfigError: ``text`` is not a positive whole number with an optional k or M suffix.
    """
    stripped = text.strip().replace("_", "").replace(",", "")
    suffix = stripped[-1:].lower() if stripped[-1:].isalpha() else ""
    # Decimal, not float: 4.1 * 1e6 is 4099999.9999999995 in binary floating point.
    try:
        value = Decimal(stripped[: len(stripped) - len(suffix)]) * COUNT_SUFFIXES[suffix]
    except (KeyError, InvalidOperation):
        value = Decimal("NaN")
    if not (value.is_finite() and value >= 1 and value == value.to_integral_value()):
        raise ConfigError(
            f"{option} {text!r} is not a positive whole number; use digits with an optional k "
            "(thousand) or M (million) suffix, such as 60000, 60k or 1.5M"
        )
    return int(value)


def command_line() -> str | None:
    """Return the ``ecgnas`` command line of this process, for reports, or None when not run as ``ecgnas``."""
    return "ecgnas " + shlex.join(sys.argv[1:]) if sys.argv and "ecgnas" in sys.argv[0] else None
