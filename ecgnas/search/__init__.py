"""The search layer: strategies, the loop, budgets, checkpoints and executors.

The exported names load their module on first use, so that reading an
:class:`EvolutionConfig` does not import the whole search layer.
"""

from typing import TYPE_CHECKING

from ecgnas.lazy import lazy_exports

if TYPE_CHECKING:
    from ecgnas.search.budget import Budget, parse_duration
    from ecgnas.search.checkpoint import Checkpoint
    from ecgnas.search.evaluator import Evaluator, evaluate_safely
    from ecgnas.search.executor import Executor, LocalExecutor
    from ecgnas.search.history import History
    from ecgnas.search.loop import run_search
    from ecgnas.search.predictor_evolution import EvolutionConfig, PredictorEvolution
    from ecgnas.search.random_search import RandomSearch
    from ecgnas.search.regularized_evolution import RegularizedEvolution
    from ecgnas.search.result import EvaluationResult
    from ecgnas.search.strategy import Strategy

_SOURCES = {
    "Budget": "ecgnas.search.budget",
    "Checkpoint": "ecgnas.search.checkpoint",
    "EvaluationResult": "ecgnas.search.result",
    "Evaluator": "ecgnas.search.evaluator",
    "EvolutionConfig": "ecgnas.search.predictor_evolution",
    "Executor": "ecgnas.search.executor",
    "History": "ecgnas.search.history",
    "LocalExecutor": "ecgnas.search.executor",
    "PredictorEvolution": "ecgnas.search.predictor_evolution",
    "RandomSearch": "ecgnas.search.random_search",
    "RegularizedEvolution": "ecgnas.search.regularized_evolution",
    "Strategy": "ecgnas.search.strategy",
    "evaluate_safely": "ecgnas.search.evaluator",
    "parse_duration": "ecgnas.search.budget",
    "run_search": "ecgnas.search.loop",
}

__all__ = [
    "Budget",
    "Checkpoint",
    "EvaluationResult",
    "Evaluator",
    "EvolutionConfig",
    "Executor",
    "History",
    "LocalExecutor",
    "PredictorEvolution",
    "RandomSearch",
    "RegularizedEvolution",
    "Strategy",
    "evaluate_safely",
    "parse_duration",
    "run_search",
]
__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
