"""Predictor-guided evolution: the dual-contrastive search and its NPENAS-style baseline.

Each round fits the predictor on every successful evaluation so far, evolves a
population for ``generations`` generations with selection by predicted score
alone (no evaluation), and then evaluates the ``infill`` best-predicted new
architectures. The first round evaluates ``initial`` random architectures.

With a predictor pre-trained by contrastive learning and fine-tuned with a
ranking loss, this is the dual-contrastive evolution of ecgnas. With a GNN
trained from scratch by mean-squared error, it follows NPENAS (Wei et al.,
"NPENAS: Neural Predictor Guided Evolution for Neural Architecture Search",
IEEE TNNLS 2022). The published descriptions give no values for the round
sizes, so the defaults are ours (see :class:`EvolutionConfig`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.search.history import History
from ecgnas.search.result import EvaluationResult
from ecgnas.search.strategy import MAX_MUTATION_DRAWS, Strategy
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace, SeedLike

logger = logging.getLogger(__name__)


class RankingPredictor(Protocol):
    """The predictor interface the strategy uses: fit on labels, score candidates (higher is better)."""

    def fit(self, labelled: Sequence[tuple[Architecture, float]]) -> object: ...

    def score(self, archs: Sequence[Architecture]) -> np.ndarray: ...


@dataclass(frozen=True)
class EvolutionConfig:
    """Round sizes of predictor-guided evolution.

    Attributes:
        initial: Random architectures evaluated before the first fit (N).
        population: Members kept by environmental selection (by predicted score).
        generations: Generations evolved between two rounds of evaluation (t_gap).
        offspring: Children made per generation.
        infill: Best-predicted new architectures evaluated per round (N_infill).
        tournament: Members drawn to pick each parent.
        crossover_rate: Share of children made by crossover, where the space supports it.
        min_distance: Smallest Hamming distance between the path encodings of two
            architectures picked in one round, the guard against near-duplicates.

    The defaults come from a sweep on NAS-Bench-201 CIFAR-10 (10 seeds, 100
    queries; ``python -m benchmarks.evolution_defaults``, in
    ``reports/benchmarks.md``): 20 initial architectures reached the table's
    optimum in every seed where 10 did not. Infill 5 with 3 generations and
    infill 10 with 5 generations tied at 100 queries. We keep infill 10 because
    it fits the predictor half as often.
    """

    initial: int = 20
    population: int = 20
    generations: int = 5
    offspring: int = 20
    infill: int = 10
    tournament: int = 3
    crossover_rate: float = 0.0
    min_distance: int = 1

    def __post_init__(self) -> None:
        for name in ("initial", "population", "generations", "offspring", "infill", "tournament"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"EvolutionConfig.{name} must be a positive integer, got {value!r}")
        if self.tournament > self.population:
            raise ConfigError(
                f"EvolutionConfig.tournament={self.tournament} exceeds population={self.population}; "
                "lower the tournament or raise the population"
            )
        if not 0.0 <= self.crossover_rate <= 1.0:
            raise ConfigError(
                f"EvolutionConfig.crossover_rate must be in [0, 1], got {self.crossover_rate!r}"
            )
        if self.min_distance < 0:
            raise ConfigError(f"EvolutionConfig.min_distance must be >= 0, got {self.min_distance!r}")


class PredictorEvolution(Strategy):
    """Evolution whose selection and infill use a performance predictor.

    Args:
        space: The search space.
        predictor: Fitted on all successful evaluations before every round.
        config: Round sizes.
        seed: Seed or generator of every random choice the strategy makes.
        name: Method name recorded in results, for example ``"dcl"`` or ``"npenas"``.
        time_scale: Factor on the measured seconds of predictor fitting before they are
            charged to the budget, for example the CPU thread count to charge core-seconds.
    """

    def __init__(
        self,
        space: SearchSpace,
        predictor: RankingPredictor,
        config: EvolutionConfig | None = None,
        seed: SeedLike = 0,
        name: str = "dcl",
        time_scale: float = 1.0,
    ) -> None:
        super().__init__(space, seed)
        if not time_scale > 0:
            raise ConfigError(f"time_scale must be positive, got {time_scale!r}")
        self.time_scale = time_scale
        self.predictor = predictor
        self.config = config or EvolutionConfig()
        self.name = name
        self.predictor_seconds = 0.0
        self._untaken_seconds = 0.0

    def ask(self, history: History, max_proposals: int | None) -> list[Architecture]:
        labelled = [(result.arch, result.metric) for result in history.successful]
        if len(labelled) < 2:
            # Too few labels to rank: evaluate random architectures first.
            wanted = max(self.config.initial - len(history), 1)
            return self._random_unseen(history, set(), wanted)

        start = time.perf_counter()
        self.predictor.fit(labelled)
        population = self._initial_population(history)
        pool: dict[Architecture, float] = {}
        for _ in range(self.config.generations):
            children = self._offspring(population, history, pool)
            if not children:
                break
            scores = self.predictor.score(children)
            pool.update(zip(children, (float(s) for s in scores), strict=True))
            population = self._select(population, children, scores)
        picked = self._infill(pool, history)
        elapsed = (time.perf_counter() - start) * self.time_scale
        self.predictor_seconds += elapsed
        self._untaken_seconds += elapsed
        return picked

    def take_overhead_seconds(self) -> float:
        seconds, self._untaken_seconds = self._untaken_seconds, 0.0
        return seconds

    def tell(self, results: list[EvaluationResult], history: History) -> None:
        failed = sum(not result.ok for result in results)
        if failed:
            logger.info("%d of %d evaluations in this round failed", failed, len(results))

    def _random_unseen(self, history: History, taken: set[Architecture], count: int) -> list[Architecture]:
        batch: list[Architecture] = []
        for _ in range(count):
            arch = self.draw_unseen(history, taken | set(batch), lambda: self.space.sample(self.rng))
            if arch is None:
                break
            batch.append(arch)
        return batch

    def _initial_population(self, history: History) -> list[tuple[Architecture, float]]:
        """Seed the population with the best evaluated architectures, scored by the predictor."""
        best = sorted(history.successful, key=lambda result: result.metric, reverse=True)
        members = [result.arch for result in best[: self.config.population]]
        scores = self.predictor.score(members)
        return list(zip(members, (float(s) for s in scores), strict=True))

    def _offspring(
        self, population: list[tuple[Architecture, float]], history: History, pool: dict[Architecture, float]
    ) -> list[Architecture]:
        members = {arch for arch, _ in population}
        children: list[Architecture] = []
        for _ in range(self.config.offspring):
            if self.space.supports_crossover and self.rng.random() < self.config.crossover_rate:
                first, second = self._tournament(population), self._tournament(population)

                def propose(a=first, b=second):
                    return self.space.crossover(a, b, self.rng)
            else:
                parent = self._tournament(population)

                def propose(p=parent):
                    return self.space.mutate(p, self.rng)

            taken = set(pool) | members | set(children)
            child = self.draw_unseen(history, taken, propose, MAX_MUTATION_DRAWS)
            if child is not None:
                children.append(child)
        return children

    def _tournament(self, population: list[tuple[Architecture, float]]) -> Architecture:
        size = min(self.config.tournament, len(population))
        indices = self.rng.choice(len(population), size=size, replace=False)
        return max((population[int(i)] for i in indices), key=lambda member: member[1])[0]

    def _select(
        self, population: list[tuple[Architecture, float]], children: list[Architecture], scores: np.ndarray
    ) -> list[tuple[Architecture, float]]:
        merged = population + list(zip(children, (float(s) for s in scores), strict=True))
        # A stable sort keeps older members first among equal scores, so runs are reproducible.
        merged.sort(key=lambda member: member[1], reverse=True)
        return merged[: self.config.population]

    def _infill(self, pool: dict[Architecture, float], history: History) -> list[Architecture]:
        """Pick the best-predicted unevaluated architectures, skipping near-duplicates."""
        ranked = sorted(pool.items(), key=lambda item: item[1], reverse=True)
        picked: list[Architecture] = []
        codes: list[np.ndarray] = []
        for arch, _ in ranked:
            if len(picked) == self.config.infill:
                break
            if arch in history:
                continue
            code = self.space.path_encoding(arch)
            if any(int(np.abs(code - other).sum()) < self.config.min_distance for other in codes):
                continue
            picked.append(arch)
            codes.append(code)
        if len(picked) < self.config.infill:
            picked += self._random_unseen(history, set(picked), self.config.infill - len(picked))
        return picked
