"""The compute budget of a search: a number of evaluations, device seconds, or both."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ecgnas.exceptions import ConfigError

_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(-?)(\d+(?:\.\d*)?|\.\d+)\s*([smhd]?)\s*$")


def parse_duration(text: str | float | int) -> float:
    """Parse a duration such as ``"90m"``, ``"2h"``, ``"7.7d"`` or ``"45s"`` into seconds.

    A bare number is taken as seconds.

    Raises:
        ConfigError: The text is malformed, zero or negative.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        seconds = float(text)
    else:
        match = _DURATION.match(str(text))
        if not match:
            raise ConfigError(
                f"budget {text!r} is not a duration; write a number with a unit s, m, h or d, "
                "for example 90m, 2h or 7.7d"
            )
        sign = -1.0 if match.group(1) else 1.0
        seconds = sign * float(match.group(2)) * _UNIT_SECONDS[match.group(3) or "s"]
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"budget {text!r} must be a positive duration, for example 90m or 2h")
    return seconds


@dataclass(frozen=True)
class Budget:
    """Limits of one search. A search stops starting new evaluations when any limit is reached.

    The cost limit can be passed by at most the evaluation in flight when it is
    reached, because an evaluation's cost is known only once it ends.

    Attributes:
        max_evaluations: Number of evaluations (failed ones included), or ``None``.
        max_cost_seconds: Device seconds summed over evaluations, or ``None``.
    """

    max_evaluations: int | None = None
    max_cost_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.max_evaluations is None and self.max_cost_seconds is None:
            raise ConfigError("a budget needs max_evaluations, max_cost_seconds or both; neither was given")
        if self.max_evaluations is not None and (
            isinstance(self.max_evaluations, bool)
            or int(self.max_evaluations) != self.max_evaluations
            or self.max_evaluations < 1
        ):
            raise ConfigError(f"max_evaluations must be a positive integer, got {self.max_evaluations!r}")
        if self.max_cost_seconds is not None and not (
            math.isfinite(self.max_cost_seconds) and self.max_cost_seconds > 0
        ):
            raise ConfigError(
                f"max_cost_seconds must be positive, got {self.max_cost_seconds!r}; "
                "for example 5400 for 90 minutes"
            )

    def exhausted(self, evaluations: int, cost_seconds: float) -> bool:
        """Return whether no new evaluation may start after ``evaluations`` costing ``cost_seconds``."""
        if self.max_evaluations is not None and evaluations >= self.max_evaluations:
            return True
        return self.max_cost_seconds is not None and cost_seconds >= self.max_cost_seconds

    def remaining_evaluations(self, evaluations: int) -> int | None:
        """Return how many more evaluations the count limit allows, or ``None`` without one."""
        if self.max_evaluations is None:
            return None
        return max(0, self.max_evaluations - evaluations)
