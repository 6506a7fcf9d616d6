"""Stage 1: contrastive pre-training of the soft encoder without labels.

The published outline of the dual-contrastive predictor names a hard path
encoder, a soft GNN encoder and contrastive pre-training without labels; it
gives no positives, negatives or temperature. The choices made here, with
their reasons:

- **Data.** ``n_archs`` cells drawn with :meth:`SearchSpace.sample` (seeded),
  duplicates kept, because a search later scores cells drawn the same way.
- **Views of an anchor.** (1) the anchor itself; (2) an isomorphic
  relabelling of it (a random permutation of its node indices); (3) one of
  its ``n_neighbours`` nearest cells under the hard encoder's Hamming
  distance, drawn anew each time the anchor is visited. View (3) is what
  teaches the soft encoder the hard encoder's notion of similarity.
- **Noise.** The soft encoder is invariant to node order, so view (2) gives
  the anchor's embedding again up to float rounding. The views still differ
  because dropout is active during pre-training, the minimal augmentation of
  SimCSE (Gao et al., 2021, https://arxiv.org/abs/2104.08821). View (2)
  costs one more forward pass and would carry real signal for an encoder
  that depends on node order; ``relabel_positive=False`` drops it.
- **Positives and negatives.** Views of the same anchor are mutual
  positives, and so are views whose path encodings are identical (the hard
  encoder cannot tell them apart, and they are often isomorphic duplicates).
  Every other view in the batch is a negative.
- **Loss.** Multi-positive InfoNCE (:func:`ecgnas.predictor.losses.info_nce`)
  on cosine similarities over a temperature, computed on a two-layer
  projection head that is discarded afterwards, as in SimCLR (Chen et al.,
  2020, https://arxiv.org/abs/2002.05709), so that fine-tuning starts from
  the encoder output rather than from the loss-shaped projection.

Departures from the published outline: the outline does not say how positives
are picked, so the nearest-neighbour rule, the dropout noise, the projection
head and the temperature value are ours.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch_geometric.data import Batch

from ecgnas.exceptions import ConfigError
from ecgnas.predictor.config import EncoderConfig, PretrainConfig, resolve_device
from ecgnas.predictor.graphs import GraphFeaturizer, relabel
from ecgnas.predictor.hard_encoder import PathEncoder, nearest_neighbours
from ecgnas.predictor.losses import info_nce
from ecgnas.predictor.seeding import seeded_torch
from ecgnas.predictor.soft_encoder import SoftEncoder
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace

logger = logging.getLogger(__name__)


@dataclass
class PretrainedEncoder:
    """Weights of a pre-trained soft encoder and what they were made for.

    Attributes:
        space_hash: :attr:`SearchSpace.space_hash` of the space it was trained on.
        encoder: The encoder's shape.
        pretrain: The pre-training settings.
        n_node_features: Width of the node labels of that space.
        n_global_features: Width of the global choices of that space.
        state: The encoder's ``state_dict``, on CPU.
        losses: Mean InfoNCE loss per epoch.
    """

    space_hash: str
    encoder: EncoderConfig
    pretrain: PretrainConfig
    n_node_features: int
    n_global_features: int
    state: dict[str, torch.Tensor]
    losses: list[float] = field(default_factory=list)

    def build(self) -> SoftEncoder:
        """Return a new soft encoder with these weights, on CPU."""
        model = SoftEncoder(self.n_node_features, self.n_global_features, self.encoder)
        model.load_state_dict(self.state)
        return model


def sample_architectures(space: SearchSpace, n: int, seed: int) -> list[Architecture]:
    """Draw ``n`` cells from ``space`` with one seeded generator."""
    rng = np.random.default_rng(seed)
    return [space.sample(rng) for _ in range(n)]


def pretrain_encoder(
    space: SearchSpace,
    encoder_config: EncoderConfig | None = None,
    config: PretrainConfig | None = None,
    device: str = "auto",
    archs: Sequence[Architecture] | None = None,
) -> PretrainedEncoder:
    """Pre-train a soft encoder on unlabelled cells of ``space``.

    Args:
        space: The space to sample from and encode with.
        encoder_config: Shape of the encoder (defaults when ``None``).
        config: Pre-training settings (defaults when ``None``).
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        archs: Cells to train on instead of ``config.n_archs`` sampled ones.

    Returns:
        The trained weights with their provenance.

    Raises:
        ConfigError: Fewer cells than ``n_neighbours + 1`` or than two batches' worth of anchors.
    """
    encoder_config = encoder_config or EncoderConfig()
    config = config or PretrainConfig()
    torch_device = resolve_device(device)
    started = time.perf_counter()

    # Data: cells, their graphs, path codes and nearest neighbours.
    pool = list(archs) if archs is not None else sample_architectures(space, config.n_archs, config.seed)
    if len(pool) <= config.n_neighbours:
        raise ConfigError(
            f"pre-training got {len(pool)} architectures but n_neighbours is {config.n_neighbours}; "
            "give more architectures or lower pretrain.n_neighbours"
        )
    featurizer = GraphFeaturizer(space)
    graphs = [featurizer.graph(arch) for arch in pool]
    codes = PathEncoder(space).encode(pool)
    neighbours = torch.from_numpy(nearest_neighbours(codes, config.n_neighbours))  # (n, k)
    _, code_ids = np.unique(codes, axis=0, return_inverse=True)
    code_ids = torch.from_numpy(code_ids.reshape(-1).astype(np.int64))  # (n,)
    logger.info(
        "pre-training on %d architectures of space %r (%d distinct path codes), prepared in %.1f s",
        len(pool),
        space.name,
        int(code_ids.max()) + 1,
        time.perf_counter() - started,
    )

    with seeded_torch(config.seed, torch_device) as generator:
        encoder = SoftEncoder(featurizer.n_node_features, featurizer.n_global_features, encoder_config)
        head = nn.Sequential(
            nn.Linear(encoder_config.embedding, config.projection),
            nn.ReLU(),
            nn.Linear(config.projection, config.projection),
        )
        encoder.to(torch_device).train()
        head.to(torch_device).train()
        optimiser = torch.optim.Adam([*encoder.parameters(), *head.parameters()], lr=config.learning_rate)
        losses = []
        n = len(pool)
        for epoch in range(config.epochs):
            order = torch.randperm(n, generator=generator)
            batch_size = min(config.batch_size, n)
            total, steps = 0.0, 0
            for start in range(0, n - batch_size + 1, batch_size):
                anchors = order[start : start + batch_size]  # (B,)
                pick = torch.randint(config.n_neighbours, (batch_size,), generator=generator)
                partners = neighbours[anchors, pick]  # (B,)

                # Views: anchors, neighbours and (optionally) relabelled anchors.
                anchor_batch = Batch.from_data_list([graphs[i] for i in anchors.tolist()])
                views = [anchor_batch, Batch.from_data_list([graphs[i] for i in partners.tolist()])]
                groups = [torch.arange(batch_size), torch.arange(batch_size)]
                ids = [code_ids[anchors], code_ids[partners]]
                if config.relabel_positive:
                    views.append(relabel(anchor_batch, generator))
                    groups.append(torch.arange(batch_size))
                    ids.append(code_ids[anchors])
                group, same_code = torch.cat(groups), torch.cat(ids)
                positives = (group[:, None] == group[None, :]) | (same_code[:, None] == same_code[None, :])

                embeddings = torch.cat([head(encoder(view.to(torch_device))) for view in views])
                loss = info_nce(embeddings, positives.to(torch_device), config.temperature)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += loss.item()
                steps += 1
            losses.append(total / max(steps, 1))
            logger.info("pre-training epoch %d/%d: InfoNCE %.4f", epoch + 1, config.epochs, losses[-1])

    logger.info("pre-training finished in %.1f s", time.perf_counter() - started)
    state = {name: tensor.detach().cpu().clone() for name, tensor in encoder.state_dict().items()}
    return PretrainedEncoder(
        space_hash=space.space_hash,
        encoder=encoder_config,
        pretrain=config,
        n_node_features=featurizer.n_node_features,
        n_global_features=featurizer.n_global_features,
        state=state,
        losses=losses,
    )
