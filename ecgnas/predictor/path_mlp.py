"""Baseline: an MLP on the path encoding, as in the BANANAS neural predictor.

White et al. (2021, https://arxiv.org/abs/1910.11858) fit a feed-forward
network on the path encoding with a regression loss. Here the network has
``encoder.layers`` hidden layers of ``encoder.hidden`` units with dropout
``encoder.dropout`` and is trained with any fine-tuning loss; the
``path-mlp`` variant uses MSE like the original.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ecgnas.exceptions import ConfigError
from ecgnas.predictor.base import Labelled, Predictor, check_labelled
from ecgnas.predictor.config import PredictorConfig, resolve_device
from ecgnas.predictor.finetuning import scoring_head, train_scorer
from ecgnas.predictor.hard_encoder import PathEncoder
from ecgnas.predictor.seeding import seeded_torch
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace


class PathMlpPredictor(Predictor):
    """Ranks architectures with an MLP on their path encodings.

    Args:
        space: The space of every architecture passed in.
        config: Settings; ``config.pretrain`` must be ``None`` because this
            baseline has nothing to pre-train, and ``encoder.bidirectional``,
            ``encoder.pooling``, ``encoder.embedding`` and
            ``finetune.encoder_lr_scale`` are not used.

    Raises:
        ConfigError: ``config.pretrain`` is set.
    """

    def __init__(self, space: SearchSpace, config: PredictorConfig | None = None) -> None:
        self.config = config or PredictorConfig(pretrain=None)
        if self.config.pretrain is not None:
            raise ConfigError(
                "the path-encoding MLP has no encoder to pre-train but config.pretrain is set; "
                "pass PredictorConfig(pretrain=None)"
            )
        self.space = space
        self.device = resolve_device(self.config.device)
        self.temperature = self.config.finetune.temperature
        self.paths = PathEncoder(space)
        self.members_: list[nn.Module] = []
        self.losses_: list[list[float]] = []

    def _network(self, width_in: int) -> nn.Module:
        encoder = self.config.encoder
        layers: list[nn.Module] = []
        for _ in range(encoder.layers):
            layers += [nn.Linear(width_in, encoder.hidden), nn.ReLU(), nn.Dropout(encoder.dropout)]
            width_in = encoder.hidden
        return nn.Sequential(*layers, scoring_head(width_in, self.config.finetune.head_hidden))

    def fit(self, labelled: Labelled) -> PathMlpPredictor:
        """Train the MLP ensemble on ``labelled`` from seeded initial weights and return ``self``."""
        archs, metrics = check_labelled(labelled)
        for arch in archs:
            self.space.validate(arch)
        inputs = torch.from_numpy(self.paths.encode(archs)).to(self.device)  # (n, size)
        targets = torch.as_tensor(metrics, dtype=torch.float32, device=self.device)
        finetune = self.config.finetune
        self.members_, self.losses_ = [], []
        for member in range(finetune.ensemble):
            with seeded_torch(self.config.seed + 1000 * member, self.device):
                network = self._network(inputs.shape[1]).to(self.device)
                groups = [{"params": list(network.parameters()), "lr": finetune.learning_rate}]
                history = train_scorer(
                    lambda network=network: network(inputs).squeeze(1), groups, [network], targets, finetune
                )
            self.members_.append(network)
            self.losses_.append(history)
        return self

    def score(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Return the mean score of the ensemble per architecture, shape ``(len(archs),)``."""
        if not self.members_:
            raise ConfigError("the predictor is not fitted; call fit(labelled) before score")
        inputs = torch.from_numpy(self.paths.encode(archs)).to(self.device)
        with torch.no_grad():
            scores = sum(network(inputs).squeeze(1) for network in self.members_) / len(self.members_)
        return scores.double().cpu().numpy()
