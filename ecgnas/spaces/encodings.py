"""Encodings of architectures for the predictor, shared by every search space.

Both encodings read the pruned cell only, so nodes off every input-to-output
path never change them, and both are invariant under relabelling isomorphic
cells: the graph uses the canonical node order and the path encoding a set
of paths.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch_geometric.data import Data

from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError

if TYPE_CHECKING:
    from ecgnas.spaces.base import SearchSpace


def to_graph(arch: Architecture, space: SearchSpace) -> Data:
    """Encode a cell as a directed graph for PyTorch Geometric.

    Args:
        arch: A valid architecture of ``space``.
        space: Gives the label vocabulary and the global choices.

    Returns:
        A :class:`torch_geometric.data.Data` with

        - ``x``: one-hot node labels over :attr:`SearchSpace.node_labels`,
          float32, shape ``(n_nodes, len(node_labels))``, nodes in canonical order;
        - ``edge_index``: directed edges source to target, int64, shape ``(2, n_edges)``;
        - ``global_features``: one one-hot block per global choice in declared
          order, float32, shape ``(1, total number of choice values)``; zero
          columns when the space has no global choices. The leading 1 makes
          batches stack to ``(batch, features)``.
    """
    canonical = arch.canonical()
    label_index = {label: i for i, label in enumerate(space.node_labels)}
    unknown = sorted(set(canonical.operations) - set(label_index))
    if unknown:
        raise InvalidArchitectureError(
            f"operations {unknown} are not in space {space.name!r}; allowed operations: "
            f"{list(space.operations)}"
        )
    x = torch.zeros(canonical.n_nodes, len(label_index), dtype=torch.float32)
    for node, label in enumerate(canonical.operations):
        x[node, label_index[label]] = 1.0

    edges = canonical.edges()
    edge_index = torch.tensor(edges, dtype=torch.long).t().reshape(2, len(edges))

    return Data(
        x=x,
        edge_index=edge_index,
        global_features=torch.from_numpy(global_one_hot(arch, space)).unsqueeze(0),
        num_nodes=canonical.n_nodes,
    )


def global_one_hot(arch: Architecture, space: SearchSpace) -> np.ndarray:
    """Encode the global choices as one one-hot block per choice, in declared order.

    Returns:
        float32 array, shape ``(total number of choice values,)``; empty when the
        space declares no global choices.

    Raises:
        InvalidArchitectureError: A choice is missing or has an undeclared value.
    """
    blocks = []
    for choice in space.global_choices:
        block = np.zeros(len(choice.values), dtype=np.float32)
        block[_value_index(choice.name, choice.values, arch.choices.get(choice.name))] = 1.0
        blocks.append(block)
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)


def path_layout(n_operations: int, max_length: int, max_features: int) -> tuple[int, int]:
    """Split the path encoding into exact entries and hashed overflow entries.

    Paths are ranked by their number of intermediate nodes, then
    lexicographically by operation index: the empty path (input straight to
    output) is rank 0, then the ``n_operations`` one-node paths, and so on. When
    all paths up to ``max_length`` fit into ``max_features`` entries, each gets
    its own entry. Otherwise the encoding is truncated to ``max_features``
    entries. The shortest paths keep one entry each, for every length whose
    cumulative path count fits into half of the entries. Longer paths are
    hashed (MD5 of their operation indices) into the remaining entries, where
    distinct paths may share one.

    Returns:
        ``(exact, size)``: the number of entries with one path each, and the
        total length of the encoding.
    """
    total = sum(n_operations**length for length in range(max_length + 1))
    if total <= max_features:
        return total, total
    exact = 0
    for length in range(max_length + 1):
        grown = exact + n_operations**length
        if grown > max_features // 2:
            break
        exact = grown
    return exact, max_features


def path_encoding(arch: Architecture, space: SearchSpace) -> np.ndarray:
    """Encode a cell as the set of its input-to-output paths, then its global choices.

    Each path is written as the sequence of its intermediate operations. Entry
    ``k`` is 1 when a path of rank ``k`` is present, with the ranks and the
    truncation rule of :func:`path_layout`. The one-hot global choices of
    :func:`global_one_hot` follow, so that architectures differing only in a
    global choice are distinguished. The encoding records which paths occur, not
    how often, so cells that differ only in parallel copies of one path (``a``
    versus two parallel ``a`` nodes) get the same vector; :func:`to_graph`
    tells them apart.

    Args:
        arch: A valid architecture of ``space``.
        space: Gives the operations, limits and choices that fix the vector's length.

    Returns:
        float32 array of 0 and 1, shape ``(size + n_values,)`` where ``size`` is
        the second value of :func:`path_layout` for the space and ``n_values``
        the total number of global choice values.

    Raises:
        InvalidArchitectureError: A path is longer than the space allows, an
            operation is unknown, or a global choice is missing or undeclared.
    """
    n_operations = len(space.operations)
    exact, size = path_layout(n_operations, space.max_path_length, space.max_path_features)
    op_index = {name: i for i, name in enumerate(space.operations)}
    encoding = np.zeros(size, dtype=np.float32)
    for path in arch.pruned().paths():
        if len(path) > space.max_path_length:
            raise InvalidArchitectureError(
                f"a path of {arch.to_string()!r} has {len(path)} intermediate nodes, more than "
                f"space {space.name!r} allows ({space.max_path_length}); validate it first"
            )
        unknown = sorted(set(path) - set(op_index))
        if unknown:
            raise InvalidArchitectureError(
                f"operations {unknown} are not in space {space.name!r}; allowed operations: "
                f"{list(space.operations)}"
            )
        indices = [op_index[name] for name in path]
        # The rank is the count of all shorter paths plus the path read as a
        # base-n_operations number.
        rank = sum(n_operations**length for length in range(len(indices)))
        digits = 0
        for index in indices:
            digits = digits * n_operations + index
        rank += digits
        if rank < exact:
            encoding[rank] = 1.0
        else:
            digest = hashlib.md5(",".join(map(str, indices)).encode("ascii")).digest()
            encoding[exact + int.from_bytes(digest[:8], "big") % (size - exact)] = 1.0
    return np.concatenate([encoding, global_one_hot(arch, space)])


def _value_index(name: str, values: tuple[object, ...], value: object) -> int:
    for index, candidate in enumerate(values):
        if candidate == value and type(candidate) is type(value):
            return index
    raise InvalidArchitectureError(
        f"global choice {name!r} has value {value!r}; allowed values: {list(values)}"
    )
