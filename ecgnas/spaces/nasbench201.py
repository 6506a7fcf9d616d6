"""The NAS-Bench-201 cell space in the shared architecture representation.

Each of the 15,625 NAS-Bench-201 cells (six edges, five operations) becomes
its pruned operation-node graph (see :mod:`ecgnas.nasbench.nb201_cell`).
Different cells can give the same graph: edges off every input-to-output path
are dropped, and nodes 1 and 2 are interchangeable when no edge joins them.
The 15,625 cells form 8,765 distinct architectures (8,764 plus the zero cell
for the 341 cells whose output is disconnected from their input).

Isomorphic cells are handled as one architecture throughout:

- sampling draws one of the 15,625 cells uniformly, so an architecture comes up
  in proportion to the number of cells that give it;
- mutation and neighbours change the operation on one edge of *any* cell that
  gives the architecture, and keep only changes that give another architecture;
- the table row of an architecture is the row of its *representative*: of the
  cells that give it, the one whose op codes come first in lexicographic order.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import numpy as np

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench import nb201_cell
from ecgnas.nasbench.table_cache import Arrays, cache_file, load_or_build
from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError
from ecgnas.spaces.base import SearchSpace, SeedLike, as_generator

CACHE_FORMAT_VERSION = 1

MAX_MUTATION_ATTEMPTS = 1_000

# Any fixed cell does: its fingerprint changes when the fingerprint algorithm
# does, which makes cached class indices stale.
_PROBE_CODES = (3, 1, 2, 4, 0, 3)


class NasBench201Space(SearchSpace):
    """All NAS-Bench-201 cells as operation-node architectures.

    Node labels are the NAS-Bench-201 edge operations. ``none`` labels only the
    zero cell ``input -> none -> output``. The class index of the cells is
    computed once (several seconds) and cached as ``.npz``.

    Args:
        cache_dir: Cache directory (default: see :func:`ecgnas.data.locate.resolve_cache_dir`).
    """

    def __init__(self, cache_dir: str | os.PathLike | None = None) -> None:
        probe = Architecture(*nb201_cell.operation_graph(_PROBE_CODES)).fingerprint
        stamp = f"nb201-space-v{CACHE_FORMAT_VERSION}|{probe}"
        arrays = load_or_build(cache_file(cache_dir, "nb201_space"), stamp, _build_class_index)
        self._class_of_cell = arrays["class_of_cell"].astype(np.int64)
        self._fingerprints = [str(text) for text in arrays["class_fingerprints"]]
        self._class_by_fingerprint = {text: index for index, text in enumerate(self._fingerprints)}
        order = np.argsort(self._class_of_cell, kind="stable")
        bounds = np.flatnonzero(np.diff(self._class_of_cell[order])) + 1
        self._members = np.split(order, bounds)
        self._codes = nb201_cell.all_cell_codes()
        self._architectures: list[Architecture | None] = [None] * len(self._fingerprints)

    # Declaration

    @property
    def name(self) -> str:
        return "nasbench201"

    @property
    def operations(self) -> tuple[str, ...]:
        return nb201_cell.OPERATIONS

    @property
    def max_nodes(self) -> int:
        return nb201_cell.N_EDGES + 2

    @property
    def max_edges(self) -> int:
        # With all six edges live: 3 edges leave the input (to the operations on 0->1,
        # 0->2 and 0->3), 3 enter the output (from 0->3, 1->3 and 2->3), and 4 join
        # operations (0->1 feeds 1->2 and 1->3, while 0->2 and 1->2 feed 2->3).
        return 10

    @property
    def max_path_length(self) -> int:
        # The longest input-to-output path runs over nodes 0 -> 1 -> 2 -> 3: three edges.
        return 3

    def declaration(self) -> dict[str, Any]:
        """Return the declaration as plain JSON-compatible data; :attr:`space_hash` hashes it."""
        return {
            "name": self.name,
            "operations": list(self.operations),
            "edges": [list(edge) for edge in nb201_cell.EDGES],
            "conversion": "operation nodes, none removed, pruned",
        }

    @property
    def space_hash(self) -> str:
        text = json.dumps(self.declaration(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    # Cells and architectures

    @property
    def n_cells(self) -> int:
        """Number of NAS-Bench-201 cells, 15,625."""
        return nb201_cell.N_CELLS

    @property
    def n_architectures(self) -> int:
        """Number of distinct architectures the cells give."""
        return len(self._fingerprints)

    def architecture_of(self, codes: nb201_cell.Codes) -> Architecture:
        """Return the architecture of the cell with op codes ``codes``."""
        return self._architecture(int(self._class_of_cell[nb201_cell.cell_index(codes)]))

    def from_arch_string(self, text: str) -> Architecture:
        """Return the architecture of an official arch string.

        Raises:
            ConfigError: The string is not a valid arch string.
        """
        try:
            codes = nb201_cell.parse_arch_string(text)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        return self.architecture_of(codes)

    def class_index(self, arch: Architecture) -> int:
        """Return the index of ``arch`` among the distinct architectures.

        Raises:
            InvalidArchitectureError: No NAS-Bench-201 cell gives ``arch``.
        """
        index = self._class_by_fingerprint.get(arch.fingerprint)
        if index is None or arch.global_choices:
            raise InvalidArchitectureError(
                f"{arch.to_string()!r} is not a NAS-Bench-201 cell: no assignment of the "
                f"operations {list(nb201_cell.OPERATIONS)} to the six edges gives this graph"
            )
        return index

    def cells_of(self, arch: Architecture) -> list[nb201_cell.Codes]:
        """Return the op codes of every cell that gives ``arch``, representative first."""
        members = self._members[self.class_index(arch)]
        return [tuple(int(code) for code in self._codes[member]) for member in members]

    def representative(self, arch: Architecture) -> nb201_cell.Codes:
        """Return the op codes of the cell whose table row stands for ``arch``."""
        member = self._members[self.class_index(arch)][0]
        return tuple(int(code) for code in self._codes[member])

    def representative_cell_indices(self) -> np.ndarray:
        """Return the :func:`nb201_cell.cell_index` of each class's representative.

        Returns:
            int64 array, shape ``(n_architectures,)``, in class order.
        """
        return np.array([members[0] for members in self._members], dtype=np.int64)

    def _architecture(self, index: int) -> Architecture:
        arch = self._architectures[index]
        if arch is None:
            codes = tuple(int(code) for code in self._codes[self._members[index][0]])
            arch = Architecture(*nb201_cell.operation_graph(codes))
            self._architectures[index] = arch
        return arch

    # Validity

    def validate(self, arch: Architecture) -> None:
        """Check the shared rules, then that some NAS-Bench-201 cell gives ``arch``.

        Raises:
            InvalidArchitectureError: Naming the first rule broken.
        """
        super().validate(arch)
        self.class_index(arch)

    # Search operators

    def sample(self, rng: SeedLike) -> Architecture:
        """Draw one of the 15,625 cells uniformly and return its architecture."""
        generator = as_generator(rng)
        return self._architecture(int(self._class_of_cell[generator.integers(nb201_cell.N_CELLS)]))

    def mutate(self, arch: Architecture, rng: SeedLike) -> Architecture:
        """Change the operation on one edge of a cell that gives ``arch``.

        The cell is drawn uniformly among those that give ``arch``, then the edge
        and the new operation uniformly. A change that gives ``arch`` again is
        drawn again.

        Raises:
            InvalidArchitectureError: ``arch`` is not in this space.
        """
        self.validate(arch)
        generator = as_generator(rng)
        parent = self.class_index(arch)
        members = self._members[parent]
        n_operations = len(nb201_cell.OPERATIONS)
        for _ in range(MAX_MUTATION_ATTEMPTS):
            member = int(members[generator.integers(len(members))])
            edge = int(generator.integers(nb201_cell.N_EDGES))
            current = int(self._codes[member, edge])
            new = (current + 1 + int(generator.integers(n_operations - 1))) % n_operations
            child = int(self._class_of_cell[_change_edge(member, edge, current, new)])
            if child != parent:
                return self._architecture(child)
        raise ConfigError(
            f"space {self.name!r}: no mutation of {arch.to_string()!r} gave another architecture "
            f"in {MAX_MUTATION_ATTEMPTS} attempts"
        )

    def neighbours(self, arch: Architecture) -> list[Architecture]:
        """Return the distinct architectures one edge change away from any cell that gives ``arch``.

        They are ordered by class index, that is by their representatives' op codes.
        """
        self.validate(arch)
        parent = self.class_index(arch)
        members = self._members[parent]
        digits = self._codes[members].astype(np.int64)
        reached: set[int] = set()
        for edge in range(nb201_cell.N_EDGES):
            for new in range(len(nb201_cell.OPERATIONS)):
                changed = members + (new - digits[:, edge]) * _place(edge)
                reached.update(self._class_of_cell[changed].tolist())
        reached.discard(parent)
        return [self._architecture(index) for index in sorted(reached)]

    @property
    def supports_crossover(self) -> bool:
        return True

    def crossover(self, first: Architecture, second: Architecture, rng: SeedLike) -> Architecture:
        """Take each edge's operation from either parent with probability 1/2.

        Each parent is first replaced by a cell drawn uniformly among those that give it.
        """
        self.validate(first)
        self.validate(second)
        generator = as_generator(rng)
        cells = []
        for parent in (first, second):
            members = self._members[self.class_index(parent)]
            cells.append(self._codes[int(members[generator.integers(len(members))])])
        take_second = generator.integers(0, 2, size=nb201_cell.N_EDGES).astype(bool)
        child = np.where(take_second, cells[1], cells[0])
        return self.architecture_of(tuple(int(code) for code in child))


def _place(edge: int) -> int:
    """Return the weight of ``edge``'s digit in :func:`nb201_cell.cell_index`."""
    return len(nb201_cell.OPERATIONS) ** (nb201_cell.N_EDGES - 1 - edge)


def _change_edge(cell: int, edge: int, current: int, new: int) -> int:
    return cell + (new - current) * _place(edge)


def _build_class_index() -> Arrays:
    """Group the 15,625 cells by the fingerprint of their operation-node graph.

    Classes are numbered in the order of their first cell, so class 0 is the
    zero cell (all edges ``none``) and each class's first cell is its representative.
    """
    codes = nb201_cell.all_cell_codes()
    fingerprint_of_live: dict[nb201_cell.Codes, str] = {}
    class_by_fingerprint: dict[str, int] = {}
    class_of_cell = np.empty(nb201_cell.N_CELLS, dtype=np.int32)
    for cell, row in enumerate(codes.tolist()):
        live = nb201_cell.live_codes(tuple(row))
        fingerprint = fingerprint_of_live.get(live)
        if fingerprint is None:
            fingerprint = Architecture(*nb201_cell.operation_graph(live)).fingerprint
            fingerprint_of_live[live] = fingerprint
        class_of_cell[cell] = class_by_fingerprint.setdefault(fingerprint, len(class_by_fingerprint))
    return {"class_of_cell": class_of_cell, "class_fingerprints": np.array(list(class_by_fingerprint))}
