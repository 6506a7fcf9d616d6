"""Random search: uniform samples from the space, never one already evaluated."""

from __future__ import annotations

from ecgnas.exceptions import ConfigError
from ecgnas.search.history import History
from ecgnas.search.strategy import Strategy
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace, SeedLike


class RandomSearch(Strategy):
    """Evaluates uniform random architectures, ``batch_size`` at a time.

    Args:
        space: The search space.
        seed: Seed or generator of the samples.
        batch_size: Architectures proposed per batch (more than one only helps
            executors that evaluate in parallel).
    """

    name = "rs"

    def __init__(self, space: SearchSpace, seed: SeedLike = 0, batch_size: int = 1) -> None:
        super().__init__(space, seed)
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size!r}")
        self.batch_size = batch_size

    def ask(self, history: History, max_proposals: int | None) -> list[Architecture]:
        count = self.batch_size if max_proposals is None else min(self.batch_size, max_proposals)
        batch: list[Architecture] = []
        for _ in range(count):
            arch = self.draw_unseen(history, set(batch), lambda: self.space.sample(self.rng))
            if arch is None:
                break
            batch.append(arch)
        return batch
