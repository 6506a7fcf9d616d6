"""Numbers shared by the comparison report's sections: means that skip NaN, and table cells."""

from __future__ import annotations

import math

import numpy as np


def finite_mean(values: list[float]) -> float:
    """Return the mean of the finite values, or NaN when there are none."""
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def mean_sd_cell(values: list[float], scale: float = 100.0) -> str:
    """Format the finite values, times ``scale``, as mean ± sample standard deviation.

    One value is shown alone, and no finite value as ``n/a``.
    """
    finite = [v * scale for v in values if math.isfinite(v)]
    if not finite:
        return "n/a"
    if len(finite) == 1:
        return f"{finite[0]:.2f}"
    return f"{np.mean(finite):.2f} ± {np.std(finite, ddof=1):.2f}"
