"""The strategy interface: what proposes architectures to evaluate next."""

from __future__ import annotations

import abc
from collections.abc import Callable

from ecgnas.search.history import History
from ecgnas.search.result import EvaluationResult
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace, SeedLike, as_generator

# Draws before a strategy concludes that a space has no unseen architecture left;
# spaces in ecgnas hold thousands of cells, so this is rare.
MAX_DRAWS = 1000

# Mutations of one parent tried before another parent is chosen: a parent whose
# few neighbours are all seen already should not stall a generation.
MAX_MUTATION_DRAWS = 20


class Strategy(abc.ABC):
    """Proposes batches of architectures and learns from their results.

    A strategy owns its population and its random generator. It never trains a
    model or reads a benchmark table itself: the evaluator does that, and the
    search loop passes the results back through :meth:`tell`.

    Args:
        space: The search space.
        seed: Seed or generator of every random choice the strategy makes.

    Attributes:
        accept: ``None`` to propose any architecture of the space, or a test that
            every proposal must pass, such as a limit on model size (see
            :class:`ecgnas.pipelines.size_limit.SizeLimit`).
    """

    name: str = "strategy"

    def __init__(self, space: SearchSpace, seed: SeedLike = 0) -> None:
        self.space = space
        self.rng = as_generator(seed)
        self.accept: Callable[[Architecture], bool] | None = None

    @abc.abstractmethod
    def ask(self, history: History, max_proposals: int | None) -> list[Architecture]:
        """Return the next architectures to evaluate, none of them in ``history``.

        Args:
            history: Every evaluation so far.
            max_proposals: The maximum number the budget allows, or ``None`` without a count limit.

        Returns:
            A batch to evaluate; an empty batch ends the search.
        """

    def tell(self, results: list[EvaluationResult], history: History) -> None:  # noqa: B027
        """Receive the results of the last batch, in the order they finished.

        Optional: a strategy without learned state, such as random search, ignores them.
        """

    def take_overhead_seconds(self) -> float:
        """Return the seconds spent proposing since the last call (predictor fitting), and reset them.

        The search loop charges them to the budget. Strategies without a model spend none.
        """
        return 0.0

    def draw_unseen(
        self,
        history: History,
        taken: set[Architecture],
        propose: Callable[[], Architecture],
        max_draws: int = MAX_DRAWS,
    ) -> Architecture | None:
        """Call ``propose`` until it returns an architecture neither evaluated nor ``taken``.

        The architecture must also pass :attr:`accept` when it is set. Returns
        ``None`` after ``max_draws`` calls without one.
        """
        for _ in range(max_draws):
            arch = propose()
            if arch in history or arch in taken:
                continue
            if self.accept is None or self.accept(arch):
                return arch
        return None
