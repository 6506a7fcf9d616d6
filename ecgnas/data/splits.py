"""Named record splits of the MIT-BIH Arrhythmia Database.

The record lists live in ``mitdb_splits.yaml`` beside this module, which gives
the source and the reasons for each choice.
"""

from __future__ import annotations

from importlib import resources

import yaml

from ecgnas.exceptions import ConfigError


def _load_declared_splits() -> dict[str, tuple[str, ...]]:
    text = resources.files("ecgnas.data").joinpath("mitdb_splits.yaml").read_text()
    declared = yaml.safe_load(text)
    splits = {name: tuple(str(record) for record in records) for name, records in declared.items()}

    validation = set(splits.pop("search-validation"))
    splits["search-train"] = tuple(r for r in splits["DS1"] if r not in validation)
    splits["search-validation"] = tuple(r for r in splits["DS1"] if r in validation)
    return splits


SPLITS: dict[str, tuple[str, ...]] = _load_declared_splits()
"""Record names of each split: ``DS1``, ``DS2``, ``search-train``, ``search-validation``, ``paced``."""

SUMMARY_SPLITS: tuple[str, ...] = ("search-train", "search-validation", "DS1", "DS2")
"""Splits shown by ``ecgnas data summary``, in display order."""


def split_records(name: str) -> tuple[str, ...]:
    """Return the record names of split ``name``.

    Raises:
        ConfigError: ``name`` is not a declared split.
    """
    try:
        return SPLITS[name]
    except KeyError:
        raise ConfigError(f"unknown split {name!r}; choose one of {sorted(SPLITS)}") from None
