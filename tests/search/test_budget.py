"""Budgets and the duration parser."""

import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.search.budget import Budget, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90m", 5400.0), ("2h", 7200.0), ("7.7d", 7.7 * 86400), ("45s", 45.0), ("30", 30.0), (12, 12.0)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["0", "0h", "-5m", "abc", "5 weeks", "", "1e3h"])
def test_parse_duration_rejects(text):
    with pytest.raises(ConfigError, match=repr(text)):
        parse_duration(text)


def test_zero_evaluations_rejected():
    with pytest.raises(ConfigError, match="max_evaluations must be a positive integer, got 0"):
        Budget(max_evaluations=0)


def test_empty_budget_rejected():
    with pytest.raises(ConfigError, match="neither was given"):
        Budget()


def test_exhausted_by_either_limit():
    budget = Budget(max_evaluations=10, max_cost_seconds=100.0)
    assert not budget.exhausted(9, 99.0)
    assert budget.exhausted(10, 0.0)
    assert budget.exhausted(0, 100.0)
