"""The search report's comparison of the random start with the later candidates."""

import dataclasses
import math

import pytest

from ecgnas.pipelines.ecg_config import preset
from ecgnas.pipelines.search_report import sampling_line
from ecgnas.search.history import History
from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.catalog import load_space


def history_of(metrics: list[float]) -> History:
    space = load_space("ecg1d-tiny")
    results = [
        EvaluationResult(
            arch=space.sample(index),
            status="failed" if math.isnan(metric) else "ok",
            metric=metric,
            reason="NaN loss" if math.isnan(metric) else "",
        )
        for index, metric in enumerate(metrics)
    ]
    return History(results)


def test_predictor_candidates_compared_with_start():
    config = preset("smoke")  # starts with 3 random candidates
    line = sampling_line(config, history_of([0.1, 0.2, 0.3, 0.5, 0.7]))
    assert line == (
        "- Search score, mean ± standard deviation: 0.2000 ± 0.1000 over the first 3 candidates "
        "(random), 0.6000 ± 0.1414 over the 2 later candidates (chosen by the predictor)"
    )


def test_failed_candidates_left_out():
    line = sampling_line(preset("smoke"), history_of([0.1, math.nan, 0.3, math.nan, 0.7]))
    assert "0.2000 ± 0.1414 over the first 3 candidates" in line
    assert "0.7000 over the 2 later candidates" in line


def test_evolution_start_is_its_population():
    config = dataclasses.replace(preset("smoke"), method="rea", population=2)
    line = sampling_line(config, history_of([0.1, 0.3, 0.5]))
    assert "over the first 2 candidates (random)" in line
    assert line.endswith("(bred by regularized evolution)")


def test_random_search_later_candidates_random():
    config = dataclasses.replace(preset("smoke"), method="rs")
    assert sampling_line(config, history_of([0.1, 0.2, 0.3, 0.4])).endswith("(random as well)")


@pytest.mark.parametrize("metrics", [[], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3, math.nan]])
def test_no_line_without_both_groups(metrics):
    assert sampling_line(preset("smoke"), history_of(metrics)) is None
