"""The baselines by name."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from ecgnas.baselines.acharya import AcharyaCNN
from ecgnas.baselines.kachuee import KachueeResNet
from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.rr import RR_FEATURES
from ecgnas.exceptions import ConfigError

BASELINES: dict[str, Callable[..., nn.Module]] = {
    "kachuee2018": KachueeResNet,
    "acharya2017": AcharyaCNN,
}
"""Baseline constructors by name, each taking ``window``, ``n_rr`` and ``n_classes``."""


def build_baseline(
    name: str, window: int = 252, n_rr: int = len(RR_FEATURES), n_classes: int = len(AAMI_CLASSES)
) -> nn.Module:
    """Build the baseline called ``name`` for beats of ``window`` samples and ``n_rr`` RR features.

    Raises:
        ConfigError: ``name`` is not a key of :data:`BASELINES`.
    """
    try:
        constructor = BASELINES[name]
    except KeyError:
        raise ConfigError(f"unknown baseline {name!r}; choose one of {sorted(BASELINES)}") from None
    return constructor(window=window, n_rr=n_rr, n_classes=n_classes)
