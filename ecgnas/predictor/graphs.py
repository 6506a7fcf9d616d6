"""Turning architectures into PyTorch Geometric graphs and batches, with a cache.

:meth:`SearchSpace.to_graph` orders nodes canonically, which costs a few
milliseconds per cell. The GNN of :mod:`ecgnas.predictor.soft_encoder` is
invariant to node order, so for spaces that keep the default ``to_graph``
this module builds the same graph (same one-hot labels, edges and global
features) from the pruned cell in its stored node order, about 50 times
faster. A space that overrides ``to_graph`` is always asked directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch_geometric.data import Batch, Data

from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace


class GraphFeaturizer:
    """Cached architecture-to-graph conversion for one space.

    Args:
        space: The space whose vocabulary and global choices fix the features.
        cache_size: Most graphs kept; the cache is cleared when it is full.
    """

    def __init__(self, space: SearchSpace, cache_size: int = 200_000) -> None:
        self.space = space
        self.cache_size = cache_size
        self._label_index = {label: i for i, label in enumerate(space.node_labels)}
        self._fast = type(space).to_graph is SearchSpace.to_graph
        self._cache: dict[str, Data] = {}

    @property
    def n_node_features(self) -> int:
        """Width of the one-hot node labels."""
        return len(self._label_index)

    @property
    def n_global_features(self) -> int:
        """Width of the one-hot global choices, 0 for a space without them."""
        return sum(len(choice.values) for choice in self.space.global_choices)

    def graph(self, arch: Architecture) -> Data:
        """Return the graph of ``arch``, built once and then cached.

        The graph has ``x`` ``(nodes, labels)``, ``edge_index`` ``(2, edges)``
        and ``global_features`` ``(1, F)``, as :func:`ecgnas.spaces.encodings.to_graph`.
        """
        key = arch.to_string()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        data = self._build(arch) if self._fast else self.space.to_graph(arch)
        if len(self._cache) >= self.cache_size:
            self._cache.clear()
        self._cache[key] = data
        return data

    def batch(self, archs: Sequence[Architecture]) -> Batch:
        """Collate the graphs of ``archs`` into one :class:`torch_geometric.data.Batch`."""
        return Batch.from_data_list([self.graph(arch) for arch in archs])

    def _build(self, arch: Architecture) -> Data:
        pruned = arch.pruned()
        n = pruned.n_nodes
        x = torch.zeros(n, len(self._label_index), dtype=torch.float32)
        x[torch.arange(n), torch.tensor([self._label_index[label] for label in pruned.operations])] = 1.0
        sources, targets = np.nonzero(pruned.matrix)
        edge_index = torch.from_numpy(np.stack([sources, targets]).astype(np.int64))
        return Data(x=x, edge_index=edge_index, global_features=self._global_features(arch), num_nodes=n)

    def _global_features(self, arch: Architecture) -> torch.Tensor:
        features = torch.zeros(1, self.n_global_features, dtype=torch.float32)
        offset = 0
        choices = arch.choices
        for choice in self.space.global_choices:
            value = choices[choice.name]
            # bool is an int in Python, so the type must match as well as the value.
            index = next(i for i, v in enumerate(choice.values) if v == value and type(v) is type(value))
            features[0, offset + index] = 1.0
            offset += len(choice.values)
        return features


def relabel(batch: Batch, generator: torch.Generator) -> Batch:
    """Permute the node indices inside every graph of ``batch`` at random.

    The result describes the same cells (an isomorphic relabelling of each), so
    an order-invariant encoder maps it to the same embeddings up to float
    rounding.

    Args:
        batch: Graphs with ``x``, ``edge_index``, ``batch`` and ``global_features``.
        generator: Source of the permutations.

    Returns:
        A new batch whose node ``k`` of graph ``g`` is a random node of graph ``g``.
    """
    # Sorting random keys offset by the graph id keeps nodes inside their graph.
    keys = torch.rand(batch.num_nodes, generator=generator) + batch.batch.to(torch.float32)
    order = torch.argsort(keys)  # new position -> old node
    new_index = torch.empty_like(order)
    new_index[order] = torch.arange(order.numel())  # old node -> new position
    permuted = batch.clone()
    permuted.x = batch.x[order]
    permuted.batch = batch.batch[order]
    permuted.edge_index = new_index[batch.edge_index]
    return permuted
