"""The soft encoder: a GIN over the cell graph that maps an architecture to an embedding.

Each layer follows the Graph Isomorphism Network update (Xu et al., 2019,
"How Powerful are Graph Neural Networks?", https://arxiv.org/abs/1810.00826):

.. math::

    h_v^{(l+1)} = \\mathrm{ReLU}\\Big(\\mathrm{MLP}_f\\big(h_v^{(l)} + \\sum_{u \\to v} h_u^{(l)}\\big)
        + \\mathrm{MLP}_b\\big(h_v^{(l)} + \\sum_{v \\to w} h_w^{(l)}\\big)\\Big)

where the second term, messages against the data flow, is present only when
``bidirectional`` is set. Node states are pooled over the graph, the space's
one-hot global choices are appended, and a linear layer gives the embedding.
Every step is invariant to node order, so isomorphic relabellings of a cell
get the same embedding up to float rounding.
"""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Batch
from torch_geometric.nn import GINConv, global_add_pool, global_max_pool, global_mean_pool

from ecgnas.predictor.config import EncoderConfig

_POOLS = {"mean": global_mean_pool, "sum": global_add_pool, "max": global_max_pool}


def _mlp(width_in: int, width: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(width_in, width), nn.ReLU(), nn.Linear(width, width))


class SoftEncoder(nn.Module):
    """GIN encoder of cell graphs.

    Args:
        n_node_features: Width of the one-hot node labels.
        n_global_features: Width of the one-hot global choices (0 allowed).
        config: Depth, width, direction, pooling, dropout and output width.

    Shapes:
        input: a :class:`torch_geometric.data.Batch` of ``B`` graphs with ``x``
        ``(nodes, n_node_features)``, ``edge_index`` ``(2, edges)`` and
        ``global_features`` ``(B, n_global_features)``.
        output: ``(B, config.embedding)``.
    """

    def __init__(self, n_node_features: int, n_global_features: int, config: EncoderConfig) -> None:
        super().__init__()
        self.config = config
        self.n_node_features = n_node_features
        self.n_global_features = n_global_features
        widths = [n_node_features] + [config.hidden] * config.layers
        self.forward_convs = nn.ModuleList(
            GINConv(_mlp(widths[i], widths[i + 1]), train_eps=True) for i in range(config.layers)
        )
        self.backward_convs = (
            nn.ModuleList(
                GINConv(_mlp(widths[i], widths[i + 1]), train_eps=True) for i in range(config.layers)
            )
            if config.bidirectional
            else nn.ModuleList()
        )
        self.pool = _POOLS[config.pooling]
        self.dropout = nn.Dropout(config.dropout)
        self.output = nn.Linear(config.hidden + n_global_features, config.embedding)

    def forward(self, batch: Batch) -> torch.Tensor:
        h, edge_index = batch.x, batch.edge_index  # (nodes, labels), (2, edges)
        reverse = edge_index.flip(0)
        for layer, conv in enumerate(self.forward_convs):
            update = conv(h, edge_index)
            if self.config.bidirectional:
                update = update + self.backward_convs[layer](h, reverse)
            h = self.dropout(torch.relu(update))  # (nodes, hidden)

        pooled = self.pool(h, batch.batch, size=batch.num_graphs)  # (B, hidden)
        features = torch.cat([pooled, batch.global_features.reshape(batch.num_graphs, -1)], dim=1)
        return self.output(features)  # (B, embedding)
