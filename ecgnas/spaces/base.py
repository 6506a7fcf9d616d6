"""The interface every search space implements, and the declared global choices."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import INPUT, OUTPUT, Architecture, GlobalValue, InvalidArchitectureError

if TYPE_CHECKING:
    from torch_geometric.data import Data

SeedLike = int | np.random.Generator
"""A seed for :func:`numpy.random.default_rng`, or a generator used as it is."""


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Return ``seed`` itself when it is a generator, else a new generator seeded with it."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ConfigError(
            f"seed {seed!r} of type {type(seed).__name__} is invalid; pass an int or a numpy.random.Generator"
        )
    return np.random.default_rng(int(seed))


@dataclass(frozen=True)
class GlobalChoice:
    """A categorical choice that applies to the whole network, such as its width.

    Attributes:
        name: Key of the choice in :attr:`Architecture.global_choices`.
        values: The allowed values, in declared order. At least one.
    """

    name: str
    values: tuple[GlobalValue, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ConfigError(f"global choice {self.name!r} has no values; declare at least one")
        if len(set(self.values)) != len(self.values):
            raise ConfigError(
                f"global choice {self.name!r} lists a value twice in {list(self.values)}; "
                "list each value once"
            )


class SearchSpace(abc.ABC):
    """A set of architectures with the operations to sample, vary and encode them.

    A space is defined by its intermediate operations, its node and edge limits
    and its global choices. The limits apply to the pruned cell: nodes off
    every input-to-output path do not count. Every stochastic method takes a
    seed or a :class:`numpy.random.Generator`; none touches a global RNG.

    Subclasses implement the abstract members. :meth:`validate` checks the
    rules shared by all spaces and may be extended with ``super().validate``.
    """

    max_path_features: int = 4096
    """Maximum number of path entries in :meth:`path_encoding` (rule in ``encodings.path_layout``)."""

    # Declaration

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Short name of the space, such as ``"ecg1d"``."""

    @property
    @abc.abstractmethod
    def operations(self) -> tuple[str, ...]:
        """Operation names allowed on intermediate nodes, in a fixed order."""

    @property
    @abc.abstractmethod
    def max_nodes(self) -> int:
        """Maximum number of nodes of a pruned cell, input and output included."""

    @property
    @abc.abstractmethod
    def max_edges(self) -> int:
        """Maximum number of edges of a pruned cell."""

    @property
    def global_choices(self) -> tuple[GlobalChoice, ...]:
        """Global choices every architecture of the space sets, in a fixed order."""
        return ()

    @property
    @abc.abstractmethod
    def space_hash(self) -> str:
        """Hex digest of the declaration; equal declarations give equal digests."""

    @property
    def node_labels(self) -> tuple[str, ...]:
        """Every node label in one-hot order: ``"input"``, the operations, ``"output"``."""
        return (INPUT, *self.operations, OUTPUT)

    # Validity

    def validate(self, arch: Architecture) -> None:
        """Check that ``arch`` belongs to this space.

        Raises:
            InvalidArchitectureError: Naming the first rule broken: an unknown
                operation, too many nodes or edges after pruning, or a missing,
                unknown or disallowed global choice.
        """
        unknown = sorted(set(arch.cell_operations) - set(self.operations))
        if unknown:
            raise InvalidArchitectureError(
                f"operations {unknown} are not in space {self.name!r}; allowed operations: "
                f"{list(self.operations)}"
            )
        pruned = arch.pruned()
        if pruned.n_nodes > self.max_nodes:
            raise InvalidArchitectureError(
                f"the pruned cell has {pruned.n_nodes} nodes; space {self.name!r} allows at "
                f"most {self.max_nodes}, input and output included"
            )
        if pruned.n_edges > self.max_edges:
            raise InvalidArchitectureError(
                f"the pruned cell has {pruned.n_edges} edges; space {self.name!r} allows at "
                f"most {self.max_edges}"
            )
        self._validate_choices(arch)

    def is_valid(self, arch: Architecture) -> bool:
        """Return whether :meth:`validate` accepts ``arch``."""
        try:
            self.validate(arch)
        except InvalidArchitectureError:
            return False
        return True

    def _validate_choices(self, arch: Architecture) -> None:
        declared = {choice.name: choice for choice in self.global_choices}
        arch_choices = arch.choices
        missing = sorted(set(declared) - set(arch_choices))
        if missing:
            raise InvalidArchitectureError(
                f"global choices {missing} are missing; space {self.name!r} requires {sorted(declared)}"
            )
        extra = sorted(set(arch_choices) - set(declared))
        if extra:
            raise InvalidArchitectureError(
                f"global choices {extra} are not declared by space {self.name!r}; declared: "
                f"{sorted(declared)}"
            )
        for name, value in arch_choices.items():
            allowed = declared[name].values
            # bool is an int in Python, so compare types as well as values.
            if not any(value == v and type(value) is type(v) for v in allowed):
                raise InvalidArchitectureError(
                    f"global choice {name!r} has value {value!r}; allowed values: {list(allowed)}"
                )

    # Search operators

    @abc.abstractmethod
    def sample(self, rng: SeedLike) -> Architecture:
        """Draw a valid architecture at random."""

    @abc.abstractmethod
    def mutate(self, arch: Architecture, rng: SeedLike) -> Architecture:
        """Return a valid architecture one random change away from ``arch``, never equal to it."""

    @property
    def supports_crossover(self) -> bool:
        """Whether :meth:`crossover` is implemented."""
        return False

    def crossover(self, first: Architecture, second: Architecture, rng: SeedLike) -> Architecture:
        """Combine two parents into one valid child.

        Raises:
            ConfigError: The space does not support crossover; check
                :attr:`supports_crossover` first.
        """
        raise ConfigError(
            f"space {self.name!r} does not support crossover; use mutation only, or check "
            "supports_crossover before calling crossover"
        )

    @abc.abstractmethod
    def neighbours(self, arch: Architecture) -> list[Architecture]:
        """Return every distinct valid architecture one change away from ``arch``, itself excluded."""

    # Encodings for the predictor

    def to_graph(self, arch: Architecture) -> Data:
        """Encode ``arch`` as a PyTorch Geometric graph; see :func:`ecgnas.spaces.encodings.to_graph`."""
        from ecgnas.spaces import encodings

        return encodings.to_graph(arch, self)

    def path_encoding(self, arch: Architecture) -> np.ndarray:
        """Encode ``arch`` as a binary path vector; see :func:`ecgnas.spaces.encodings.path_encoding`."""
        from ecgnas.spaces import encodings

        return encodings.path_encoding(arch, self)

    @property
    def max_path_length(self) -> int:
        """Maximum number of intermediate nodes on one input-to-output path of a valid cell."""
        return max(0, min(self.max_nodes - 2, self.max_edges - 1))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, operations={list(self.operations)}, "
            f"max_nodes={self.max_nodes}, max_edges={self.max_edges})"
        )


def check_operation_names(names: Sequence[str], where: str) -> None:
    """Reject operation names that clash with the reserved node labels or repeat.

    Raises:
        ConfigError: Naming ``where`` and the offending names.
    """
    reserved = sorted({INPUT, OUTPUT} & set(names))
    if reserved:
        raise ConfigError(
            f"{where}: operation names {reserved} are reserved for the cell's end nodes; "
            "rename the operations"
        )
    repeated = sorted({name for name in names if list(names).count(name) > 1})
    if repeated:
        raise ConfigError(f"{where}: operation names {repeated} are declared more than once")
