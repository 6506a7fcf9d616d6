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

from ecgnas.spaces.architecture import Architecture

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
    x = torch.zeros(canonical.n_nodes, len(label_index), dtype=torch.float32)
    for node, label in enumerate(canonical.operations):
        x[node, label_index[label]] = 1.0

    edges = canonical.edges()
    edge_index = torch.tensor(edges, dtype=torch.long).t().reshape(2, len(edges))

    blocks = []
    for choice in space.global_choices:
        block = torch.zeros(len(choice.values), dtype=torch.float32)
        block[_value_index(choice.values, arch.choices[choice.name])] = 1.0
        blocks.append(block)
    global_features = torch.cat(blocks) if blocks else torch.zeros(0)

    return Data(
        x=x,
        edge_index=edge_index,
        global_features=global_features.unsqueeze(0),
        num_nodes=canonical.n_nodes,
    )


def path_layout(n_operations: int, max_length: int, max_features: int) -> tuple[int, int]:
    """Split the path encoding into exact entries and hashed overflow entries.

    Paths are ranked by their number of intermediate nodes, then
    lexicographically by operation index: the empty path (input straight to
    output) is rank 0, then the ``n_operations`` one-node paths, and so on. When
    all paths up to ``max_length`` fit into ``max_features`` entries, each gets
    its own entry. Otherwise the encoding is truncated to ``max_features``
    entries: every path up to the longest length whose cumulative count fits
    into half of them keeps its own entry, and the longer paths are hashed (MD5
    of their operation indices) into the remaining entries, where distinct
    paths may share one.

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
    """Encode a cell as the set of its input-to-output paths.

    Each path is written as the sequence of its intermediate operations; entry
    ``k`` is 1 when a path of rank ``k`` is present (see :func:`path_layout` for
    the ranks and the truncation rule).

    Args:
        arch: A valid architecture of ``space``.
        space: Gives the operations and limits that fix the vector's length.

    Returns:
        float32 array of 0 and 1, shape ``(size,)`` where ``size`` is the second
        value of :func:`path_layout` for the space.
    """
    n_operations = len(space.operations)
    exact, size = path_layout(n_operations, space.max_path_length, space.max_path_features)
    op_index = {name: i for i, name in enumerate(space.operations)}
    encoding = np.zeros(size, dtype=np.float32)
    for path in arch.pruned().paths():
        if len(path) > space.max_path_length:
            raise ValueError(
                f"a path of {arch.to_string()!r} has {len(path)} intermediate nodes, more than "
                f"space {space.name!r} allows ({space.max_path_length}); validate it first"
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
    return encoding


def _value_index(values: tuple[object, ...], value: object) -> int:
    for index, candidate in enumerate(values):
        if candidate == value and type(candidate) is type(value):
            return index
    raise ValueError(f"value {value!r} is not among {list(values)}")
