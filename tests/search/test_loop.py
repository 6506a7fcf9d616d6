"""The search loop with every strategy: budgets, duplicates, failures, reproducibility."""

import logging

import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.search import (
    Budget,
    Checkpoint,
    EvolutionConfig,
    PredictorEvolution,
    RandomSearch,
    RegularizedEvolution,
    run_search,
)
from tests.search.conftest import RidgePredictor, StructureEvaluator

SMALL_EVOLUTION = EvolutionConfig(initial=8, population=8, generations=3, offspring=10, infill=5)


def make_strategy(name, space, seed):
    if name == "rs":
        return RandomSearch(space, seed)
    if name == "rea":
        return RegularizedEvolution(space, seed, population_size=8, tournament_size=3)
    return PredictorEvolution(space, RidgePredictor(space), SMALL_EVOLUTION, seed)


METHODS = ["rs", "rea", "dcl"]


@pytest.mark.parametrize("method", METHODS)
def test_budget_spent_exactly(method, space, evaluator):
    history = run_search(make_strategy(method, space, 0), evaluator, Budget(max_evaluations=23))
    assert len(history) == 23
    assert evaluator.calls == 23


@pytest.mark.parametrize("method", METHODS)
def test_never_evaluates_twice(method, space, evaluator):
    history = run_search(make_strategy(method, space, 1), evaluator, Budget(max_evaluations=40))
    canonical = [result.arch.canonical().to_string() for result in history]
    assert len(set(canonical)) == len(canonical)


@pytest.mark.parametrize("method", METHODS)
def test_only_accepted_architectures_evaluated(method, space, evaluator):
    def without_pooling(arch):
        return "pool" not in arch.operations

    unlimited = run_search(make_strategy(method, space, 2), StructureEvaluator(), Budget(max_evaluations=30))
    assert any(not without_pooling(result.arch) for result in unlimited)
    strategy = make_strategy(method, space, 2)
    strategy.accept = without_pooling
    history = run_search(strategy, evaluator, Budget(max_evaluations=30))
    assert len(history) == 30
    assert all(without_pooling(result.arch) for result in history)


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_run(method, space):
    first = run_search(make_strategy(method, space, 5), StructureEvaluator(), Budget(max_evaluations=20))
    second = run_search(make_strategy(method, space, 5), StructureEvaluator(), Budget(max_evaluations=20))
    other = run_search(make_strategy(method, space, 6), StructureEvaluator(), Budget(max_evaluations=20))
    assert [r.arch for r in first] == [r.arch for r in second]
    assert [r.arch for r in first] != [r.arch for r in other]


@pytest.mark.parametrize("method", METHODS)
def test_cost_budget_overshoots_by_one_evaluation_at_most(method, space, evaluator):
    history = run_search(make_strategy(method, space, 0), evaluator, Budget(max_cost_seconds=95.0))
    # Every evaluation costs 10 s: the tenth one starts at 90 s and ends at 100 s.
    # The predictor's fitting time (well under a second here) is charged too.
    assert len(history) == 10
    assert 100.0 <= history.cost_seconds < 101.0


def test_predictor_time_charged_to_budget(space, evaluator):
    strategy = make_strategy("dcl", space, 0)
    history = run_search(strategy, evaluator, Budget(max_evaluations=18))
    charged = sum(result.info.get("strategy_seconds", 0.0) for result in history)
    assert charged > 0
    assert charged == pytest.approx(strategy.predictor_seconds)
    assert history.cost_seconds == pytest.approx(180.0 + charged)


def test_strategy_time_that_spends_budget_counted(space, evaluator, caplog):
    # The first round proposes 8 random cells, 80 s of evaluations. The second round's
    # fitting is made to take 200 s, so the 150 s budget is spent before any proposal starts.
    strategy = make_strategy("dcl", space, 0)
    original = strategy.take_overhead_seconds
    rounds = []

    def slow_overhead() -> float:
        rounds.append(1)
        return original() + (200.0 if len(rounds) > 1 else 0.0)

    strategy.take_overhead_seconds = slow_overhead
    with caplog.at_level(logging.INFO, logger="ecgnas.search.loop"):
        history = run_search(strategy, evaluator, Budget(max_cost_seconds=150.0))
    assert len(history) == 8
    assert history.cost_seconds > 280.0
    assert "Budget spent" in caplog.text


@pytest.mark.parametrize("method", METHODS)
def test_failing_evaluations_recorded(method, space, caplog):
    evaluator = StructureEvaluator(fail_every=4, nan_every=5)
    with caplog.at_level(logging.WARNING, logger="ecgnas.search"):
        history = run_search(make_strategy(method, space, 0), evaluator, Budget(max_evaluations=20))
    failed = [result for result in history if not result.ok]
    assert len(history) == 20
    assert any("simulated out of memory" in result.reason for result in failed)
    assert any("non-finite metric" in result.reason for result in failed)
    assert "failed; the search goes on" in caplog.text
    assert history.best().ok


def test_predictor_refitted_every_round(space, evaluator):
    predictor = RidgePredictor(space)
    strategy = PredictorEvolution(space, predictor, SMALL_EVOLUTION, seed=0)
    run_search(strategy, evaluator, Budget(max_evaluations=23))
    # 8 random evaluations, then rounds of 5: the predictor is fitted on 8, 13 and 18 labels.
    assert predictor.fits == [8, 13, 18, 23][:3]


def test_predictor_search_beats_random_on_structured_metric(space):
    def mean_best(method):
        values = []
        for seed in range(5):
            strategy = make_strategy(method, space, seed)
            values.append(
                run_search(strategy, StructureEvaluator(), Budget(max_evaluations=30)).best().metric
            )
        return sum(values) / len(values)

    assert mean_best("dcl") > mean_best("rs")


def test_resume_after_interrupt_matches_uninterrupted(space, tmp_path):
    reference = run_search(make_strategy("dcl", space, 3), StructureEvaluator(), Budget(max_evaluations=25))

    checkpoint = Checkpoint(tmp_path / "state.json", fingerprint="toy-dcl-3")
    with pytest.raises(KeyboardInterrupt):
        run_search(
            make_strategy("dcl", space, 3),
            StructureEvaluator(interrupt_at=14),
            Budget(max_evaluations=25),
            checkpoint=checkpoint,
        )
    assert len(checkpoint.load()) == 13

    resumed_evaluator = StructureEvaluator()
    resumed = run_search(
        make_strategy("dcl", space, 3), resumed_evaluator, Budget(max_evaluations=25), checkpoint=checkpoint
    )
    assert [r.arch for r in resumed] == [r.arch for r in reference]
    assert [r.metric for r in resumed] == [r.metric for r in reference]
    assert resumed_evaluator.calls == 25 - 13


def test_checkpoint_of_other_configuration_rejected(space, tmp_path):
    path = tmp_path / "state.json"
    run_search(
        RandomSearch(space, 0),
        StructureEvaluator(),
        Budget(max_evaluations=3),
        checkpoint=Checkpoint(path, "first"),
    )
    with pytest.raises(ConfigError, match="another configuration"):
        Checkpoint(path, "second").load()


def test_corrupt_checkpoint_rejected(tmp_path):
    path = tmp_path / "state.json"
    path.write_text('{"version": 1, "results": [')
    with pytest.raises(ConfigError, match="is corrupt"):
        Checkpoint(path, "x").load()


def test_small_space_exhausted_stops(evaluator):
    from ecgnas.spaces.cell_space import CellSpace

    tiny = CellSpace("tiny", ["a"], max_nodes=3, max_edges=3)
    history = run_search(RandomSearch(tiny, 0), evaluator, Budget(max_evaluations=50))
    assert 0 < len(history) < 50
