"""The NAS-Bench-101 cell space in the shared architecture representation.

NAS-Bench-101 cells have at most 7 nodes and 9 edges, with the operations
``conv3x3-bn-relu``, ``conv1x1-bn-relu`` and ``maxpool3x3`` on the intermediate
nodes. Every pruned cell within those limits is one of the 423,624 cells of
``nb101_cells_all.npz``, so the space's rules are those of a
:class:`~ecgnas.spaces.cell_space.CellSpace` and its moves (edge flips,
operation changes, node insertions) are inherited from it. Sampling differs:
it draws uniformly over the enumerated unique cells, not over encodings.

A space can be confined to a set of table rows, such as the 20,001 cells of
the NAS-Bench-101 subset that have results. Then sampling draws uniformly
from those rows, and mutation and neighbours keep to them (see :meth:`NasBench101Space.mutate`).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench.nb101_cells import MAX_EDGES, MAX_NODES, NasBench101Cells, find_rows, hash_bytes
from ecgnas.nasbench.nb101_hash import OPERATIONS, architecture_hash
from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError
from ecgnas.spaces.base import SeedLike, as_generator
from ecgnas.spaces.cell_space import CellSpace

MAX_WALKS = 10_000
"""Two-step random walks that :meth:`NasBench101Space.mutate` tries before giving up."""

_MEMO_SIZE = 4_096


class NasBench101Space(CellSpace):
    """The NAS-Bench-101 cells, or the subset of them listed by ``allowed_rows``.

    Args:
        cells: The NAS-Bench-101 cell table.
        allowed_rows: Table rows that make up the space; ``None`` for all cells.
        name: Name of the space, ``"nasbench101"`` by default.
    """

    def __init__(
        self,
        cells: NasBench101Cells,
        allowed_rows: np.ndarray | None = None,
        name: str = "nasbench101",
    ) -> None:
        super().__init__(name, OPERATIONS, MAX_NODES, MAX_EDGES)
        self._cells = cells
        self._allowed = None if allowed_rows is None else np.unique(np.asarray(allowed_rows, dtype=np.int64))
        if self._allowed is not None and (self._allowed.size == 0 or self._allowed[-1] >= len(cells)):
            raise ConfigError(
                f"space {name!r}: allowed_rows must be non-empty rows of the {len(cells)}-cell table"
            )
        # The unrestricted space provides the single moves that the confined space filters.
        self._free = CellSpace(name, OPERATIONS, MAX_NODES, MAX_EDGES)
        self._by_row: OrderedDict[int, Architecture] = OrderedDict()
        # Neighbour lists of a confined space, keyed by NAS-Bench-101 hash.
        self._first_rings: OrderedDict[str, list[Architecture]] = OrderedDict()
        self._second_rings: OrderedDict[str, list[Architecture]] = OrderedDict()

    # Cells and rows

    @property
    def cells(self) -> NasBench101Cells:
        """The NAS-Bench-101 cell table."""
        return self._cells

    @property
    def is_confined(self) -> bool:
        """Whether the space is a subset of the NAS-Bench-101 cells."""
        return self._allowed is not None

    @property
    def n_cells(self) -> int:
        """Number of cells in the space."""
        return len(self._cells) if self._allowed is None else int(self._allowed.size)

    def architecture_of_row(self, row: int) -> Architecture:
        """Return the architecture of a row of the cell table."""
        arch = self._by_row.get(row)
        if arch is None:
            arch = _table_architecture(*self._cells.cell(row))
            _remember(self._by_row, row, arch)
        return arch

    def row_of(self, arch: Architecture) -> int:
        """Return the cell-table row of ``arch``.

        Raises:
            InvalidArchitectureError: ``arch`` is not a NAS-Bench-101 cell.
        """
        try:
            module_hash = architecture_hash(arch)
        except ValueError as error:
            raise InvalidArchitectureError(f"{arch.to_string()!r}: {error}") from None
        row = self._cells.find(module_hash)
        if row is None:
            raise InvalidArchitectureError(
                f"{arch.to_string()!r} (hash {module_hash}) is not a NAS-Bench-101 cell"
            )
        return row

    def contains_row(self, row: int) -> bool:
        """Return whether a cell-table row belongs to the space."""
        if self._allowed is None:
            return 0 <= row < len(self._cells)
        position = int(np.searchsorted(self._allowed, row))
        return position < self._allowed.size and int(self._allowed[position]) == row

    # Validity

    def validate_cell(self, arch: Architecture) -> None:
        """Check that ``arch`` is a NAS-Bench-101 cell, ignoring any confinement of the space.

        Raises:
            InvalidArchitectureError: Naming the first rule broken.
        """
        super().validate(arch)

    def validate(self, arch: Architecture) -> None:
        """Check the NAS-Bench-101 rules, then, for a confined space, that ``arch`` is in it.

        Raises:
            InvalidArchitectureError: Naming the first rule broken.
        """
        self.validate_cell(arch)
        if self._allowed is not None and not self.contains_row(self.row_of(arch)):
            raise InvalidArchitectureError(
                f"{arch.to_string()!r} (hash {architecture_hash(arch)}) is a NAS-Bench-101 cell "
                f"outside space {self.name!r}, which contains {self.n_cells} of them"
            )

    # Search operators

    def sample(self, rng: SeedLike) -> Architecture:
        """Draw a cell of the space uniformly (over unique cells, not encodings)."""
        generator = as_generator(rng)
        if self._allowed is None:
            return self.architecture_of_row(int(generator.integers(len(self._cells))))
        return self.architecture_of_row(int(self._allowed[generator.integers(self._allowed.size)]))

    def mutate(self, arch: Architecture, rng: SeedLike) -> Architecture:
        """Return a cell of the space one change away from ``arch``.

        In the full space this is :meth:`CellSpace.mutate`. In a confined space
        the result is uniform over the distinct cells of the space one change
        away, or, when there is none, over those two changes away
        (:meth:`neighbours`, memoised). In the 20k subset only about one cell in
        twenty of the full space is allowed, and the search mutates the same
        parents many times, so the memoised rings are much cheaper than
        redrawing random changes.

        Raises:
            InvalidArchitectureError: ``arch`` is not in this space.
            ConfigError: No cell of the space is within two changes of ``arch``.
        """
        if self._allowed is None:
            return super().mutate(arch, rng)
        ring = self.neighbours(arch)
        if not ring:
            raise ConfigError(
                f"space {self.name!r}: no cell of the space is within two changes of {arch.to_string()!r}"
            )
        return ring[int(as_generator(rng).integers(len(ring)))]

    def neighbours(self, arch: Architecture) -> list[Architecture]:
        """Return the distinct cells of the space one change away from ``arch``.

        In a confined space, when no cell of the space is one change away, the
        cells two changes away are returned instead, so that every mutation
        result is a neighbour.
        """
        if self._allowed is None:
            return super().neighbours(arch)
        self.validate(arch)
        ring = self._first_ring(arch)
        if ring:
            return list(ring)
        key = architecture_hash(arch)
        if key not in self._second_rings:
            second = [
                child for middle in self._free.neighbours(arch) for child in self._free.neighbours(middle)
            ]
            _remember(self._second_rings, key, self._inside(second, arch))
        return list(self._second_rings[key])

    def crossover(self, first: Architecture, second: Architecture, rng: SeedLike) -> Architecture:
        """Cross two parents as :meth:`CellSpace.crossover` does, redrawing children outside the space.

        Raises:
            InvalidArchitectureError: A parent is not in this space.
            ConfigError: No child inside the space came up in :data:`MAX_WALKS` attempts.
        """
        if self._allowed is None:
            return super().crossover(first, second, rng)
        self.validate(first)
        self.validate(second)
        generator = as_generator(rng)
        for _ in range(MAX_WALKS):
            child = self._free.crossover(first, second, generator)
            if self._contains(child):
                return child
        raise ConfigError(
            f"space {self.name!r}: no crossover child of {first.to_string()!r} and "
            f"{second.to_string()!r} inside the space in {MAX_WALKS} attempts"
        )

    def _first_ring(self, arch: Architecture) -> list[Architecture]:
        """Return the distinct cells of the space one change away from ``arch``, memoised."""
        key = architecture_hash(arch)
        if key not in self._first_rings:
            _remember(self._first_rings, key, self._inside(self._free.neighbours(arch), arch))
        return self._first_rings[key]

    def _contains(self, arch: Architecture) -> bool:
        row = self._cells.find(architecture_hash(arch))
        return row is not None and self.contains_row(row)

    def _inside(self, candidates: list[Architecture], parent: Architecture) -> list[Architecture]:
        """Keep the distinct candidates that are in the space and differ from ``parent``."""
        if not candidates:
            return []
        hashes = [architecture_hash(candidate) for candidate in candidates]
        rows = find_rows(
            self._cells.hashes, self._cells.keys, np.stack([hash_bytes(text) for text in hashes])
        )
        seen = {architecture_hash(parent)}
        inside = []
        for candidate, text, row in zip(candidates, hashes, rows.tolist(), strict=True):
            if text in seen or row < 0 or not self.contains_row(row):
                continue
            seen.add(text)
            inside.append(candidate.pruned())
        return inside


def _table_architecture(matrix: np.ndarray, operations: tuple[str, ...]) -> Architecture:
    """Build the architecture of a cell-table row without validating it again.

    :func:`ecgnas.nasbench.nb101_cells.load_nb101_cells` has checked every row:
    a 0/1 upper-triangular matrix, input and output labels at the ends, and every
    node on an input-to-output path. The checks of ``Architecture.__init__``
    would only repeat them, and skipping them makes building an architecture
    about ten times faster. The fields are set exactly as ``__init__`` sets them,
    which the tests compare on table rows.
    """
    # NOTE: depends on Architecture storing exactly these three dataclass fields;
    # replace with a validated fast constructor on Architecture when one exists.
    arch = object.__new__(Architecture)
    object.__setattr__(arch, "adjacency", tuple(tuple(row) for row in matrix.tolist()))
    object.__setattr__(arch, "operations", tuple(operations))
    object.__setattr__(arch, "global_choices", ())
    return arch


def _remember(memo: OrderedDict, key: object, value: object) -> None:
    memo[key] = value
    if len(memo) > _MEMO_SIZE:
        memo.popitem(last=False)
