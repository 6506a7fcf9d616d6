"""Numbers shared by the comparison report's sections: means and spreads that skip NaN, and table cells."""

from __future__ import annotations

import math

import numpy as np


def finite_mean(values: list[float]) -> float:
    """Return the mean of the finite values, or NaN when there are none."""
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def sample_sd(values: list[float] | np.ndarray) -> float:
    """Return the sample standard deviation of the finite values, or 0 when fewer than two."""
    finite = [v for v in values if math.isfinite(v)]
    return float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0


def mean_sd_cell(values: list[float], scale: float = 100.0) -> str:
    """Format the finite values, times ``scale``, as mean ± sample standard deviation.

    One value is shown alone, and no finite value as ``n/a``.
    """
    finite = [v * scale for v in values if math.isfinite(v)]
    if not finite:
        return "n/a"
    if len(finite) == 1:
        return f"{finite[0]:.2f}"
    return f"{np.mean(finite):.2f} ± {sample_sd(finite):.2f}"
