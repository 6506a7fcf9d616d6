"""A limit on the size of the networks a search may train.

A model meant for a wearable or a bedside monitor has a memory and compute
budget, so a search should only train architectures that fit it. The limit
also lets a searched model be compared with a hand-designed one of no larger
size. It filters proposals before they are trained, so a rejected
architecture costs one model build (about 5 ms for `ecg1d`), not a training.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SeedLike, as_generator
from ecgnas.spaces.cost import count_macs, count_parameters
from ecgnas.spaces.declared_space import DeclaredSpace
from ecgnas.spaces.model import build_model

logger = logging.getLogger(__name__)

# Samples drawn to show that a limit leaves some architecture in the space. Of 200
# random `ecg1d` networks, 93 had at most 57,349 parameters, so a feasible limit is
# found within a few draws. Only an infeasible one costs all of them: about 5 s for a
# parameter limit and 20 s for a MAC limit on one idle core (5 ms per build, 15 ms per MAC count).
FEASIBILITY_DRAWS = 1000


def describe_limit(max_parameters: int | None, max_macs: int | None) -> str:
    """Return a size limit in words, such as ``at most 57,349 parameters``; empty without one."""
    parts = []
    if max_parameters is not None:
        parts.append(f"{max_parameters:,} parameters")
    if max_macs is not None:
        parts.append(f"{max_macs:,} MACs per beat")
    return "at most " + " and ".join(parts) if parts else ""


@dataclass(frozen=True)
class Size:
    """Trainable parameters and multiply-accumulates per beat of one network.

    ``macs`` is ``None`` where the limit has no MAC bound and they were not counted.
    """

    parameters: int
    macs: int | None


class SizeLimit:
    """A test that accepts the architectures whose network is within a parameter and MAC limit.

    :attr:`rejected` counts the architectures it turned down, :meth:`check_feasible` aside.

    Args:
        space: The declared space the networks are built from.
        rr_features: RR features per beat, which size the classifier head.
        max_parameters: Maximum trainable parameters, or ``None`` for no limit.
        max_macs: Maximum multiply-accumulates per beat, or ``None`` for no limit.

    Raises:
        ConfigError: Both limits are ``None``.
    """

    def __init__(
        self, space: DeclaredSpace, rr_features: int, max_parameters: int | None, max_macs: int | None
    ) -> None:
        if max_parameters is None and max_macs is None:
            raise ConfigError("invalid size limit: give max_parameters, max_macs or both")
        self.space = space
        self.rr_features = rr_features
        self.max_parameters = max_parameters
        self.max_macs = max_macs
        self.rejected = 0
        self._sizes: dict[Architecture, Size] = {}

    def size(self, arch: Architecture) -> Size:
        """Return the size of the network of ``arch``, counted once per architecture."""
        if arch not in self._sizes:
            model = build_model(arch, self.space, rr_features=self.rr_features)
            macs = None
            if self.max_macs is not None:
                # Counting MACs runs the model once, three times the cost of building it.
                macs = count_macs(model, self.space.model_input.samples, self.rr_features)
            self._sizes[arch] = Size(count_parameters(model), macs)
        return self._sizes[arch]

    def __call__(self, arch: Architecture) -> bool:
        """Return whether ``arch`` is within the limit, counting it in :attr:`rejected` if not."""
        within = self._within(self.size(arch))
        self.rejected += not within
        return within

    def _within(self, size: Size) -> bool:
        if self.max_parameters is not None and size.parameters > self.max_parameters:
            return False
        return size.macs is None or self.max_macs is None or size.macs <= self.max_macs

    def describe(self) -> str:
        """Return the limit in words, such as ``at most 57,349 parameters``."""
        return describe_limit(self.max_parameters, self.max_macs)

    def check_feasible(self, seed: SeedLike = 0) -> None:
        """Raise unless a random architecture of the space is within the limit.

        Raises:
            ConfigError: None of :data:`FEASIBILITY_DRAWS` samples is within the
                limit; the message gives the smallest one drawn.
        """
        logger.info(
            "Looking for a network of %s %s among up to %d random ones",
            self.space.name,
            self.describe(),
            FEASIBILITY_DRAWS,
        )
        rng = as_generator(seed)
        sizes = []
        for _ in range(FEASIBILITY_DRAWS):
            size = self.size(self.space.sample(rng))
            if self._within(size):
                return
            sizes.append(size)

        # Smallest by the measure that is limited; by MACs when only they are.
        if self.max_parameters is None:
            smallest = min(sizes, key=lambda size: (size.macs or 0, size.parameters))
        else:
            smallest = min(sizes, key=lambda size: (size.parameters, size.macs or 0))
        found = f"{smallest.parameters:,} parameters"
        if smallest.macs is not None:
            found += f" and {smallest.macs:,} MACs per beat"
        raise ConfigError(
            f"no architecture of space {self.space.name!r} is {self.describe()}: the smallest of "
            f"{FEASIBILITY_DRAWS} random ones has {found}; raise the limit (--max-params, --max-macs)"
        )
