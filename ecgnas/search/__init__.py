"""The search layer: strategies, the loop, budgets, checkpoints and executors."""

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
