"""Command-line options shared by several command groups."""

from __future__ import annotations

import argparse

from ecgnas.exceptions import ConfigError


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--data-dir``, ``--cache-dir`` and ``--no-download``."""
    parser.add_argument(
        "--data-dir",
        help="data directory whose mitdb/ folder holds the MIT-BIH records "
        "(default: $ECGNAS_DATA_DIR, else ./data)",
    )
    parser.add_argument(
        "--cache-dir",
        help="directory for prepared beats (default: $ECGNAS_CACHE_DIR, else ~/.cache/ecgnas)",
    )
    parser.add_argument(
        "--no-download",
        action="store_true",
        help="fail instead of downloading the database from PhysioNet when no records are found",
    )


def add_augment_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--augment``, which perturbs the training beats of final training."""
    parser.add_argument(
        "--augment",
        action="store_true",
        help="perturb the final training's beats: amplitude 0.8-1.2, shifts up to 6 samples, "
        "noise of 0.05 standard deviations on the waveform and the RR features (default: off)",
    )


def check_at_least_one(option: str, value: int | None, unit: str) -> None:
    """Reject a count option below 1 with a message that names the option, not the config field."""
    if value is not None and value < 1:
        raise ConfigError(f"{option} is {value}; use 1 or more {unit}")
