"""Regularized (aging) evolution with tournament selection.

Real, Aggarwal, Huang and Le (2019), "Regularized Evolution for Image Classifier
Architecture Search", AAAI. A population of the most recent evaluated
architectures evolves: each child mutates the best of a random tournament, and
the oldest member leaves when the population is full.
"""

from __future__ import annotations

from collections import deque

from ecgnas.exceptions import ConfigError
from ecgnas.search.history import History
from ecgnas.search.result import EvaluationResult
from ecgnas.search.strategy import MAX_MUTATION_DRAWS, Strategy
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace, SeedLike


class RegularizedEvolution(Strategy):
    """Aging evolution.

    Args:
        space: The search space.
        seed: Seed or generator of every random choice.
        population_size: Members kept; the first this many evaluations are random.
        tournament_size: Members drawn without replacement to pick each parent.
        batch_size: Children proposed per batch.
    """

    name = "rea"

    def __init__(
        self,
        space: SearchSpace,
        seed: SeedLike = 0,
        population_size: int = 20,
        tournament_size: int = 5,
        batch_size: int = 1,
    ) -> None:
        super().__init__(space, seed)
        if population_size < 2:
            raise ConfigError(f"population_size must be at least 2, got {population_size!r}")
        if not 1 <= tournament_size <= population_size:
            raise ConfigError(
                f"tournament_size must be between 1 and population_size={population_size}, "
                f"got {tournament_size!r}"
            )
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size!r}")
        self.population_size = population_size
        self.tournament_size = tournament_size
        self.batch_size = batch_size
        self.population: deque[EvaluationResult] = deque()
        self.random_proposed = 0

    def ask(self, history: History, max_proposals: int | None) -> list[Architecture]:
        count = self.batch_size if max_proposals is None else min(self.batch_size, max_proposals)
        batch: list[Architecture] = []
        for _ in range(count):
            # The initial population is random; failed evaluations do not count towards it.
            if self.random_proposed < self.population_size or len(self.population) < 2:
                self.random_proposed += 1
                arch = self.draw_unseen(history, set(batch), lambda: self.space.sample(self.rng))
            else:
                parent = self._tournament()
                arch = self.draw_unseen(
                    history, set(batch), lambda p=parent: self.space.mutate(p, self.rng), MAX_MUTATION_DRAWS
                )
                if arch is None:
                    arch = self.draw_unseen(history, set(batch), lambda: self.space.sample(self.rng))
            if arch is None:
                break
            batch.append(arch)
        return batch

    def tell(self, results: list[EvaluationResult], history: History) -> None:
        for result in results:
            if not result.ok:
                continue
            self.population.append(result)
            if len(self.population) > self.population_size:
                self.population.popleft()

    def _tournament(self) -> Architecture:
        size = min(self.tournament_size, len(self.population))
        indices = self.rng.choice(len(self.population), size=size, replace=False)
        contestants = [self.population[int(i)] for i in indices]
        return max(contestants, key=lambda result: result.metric).arch
