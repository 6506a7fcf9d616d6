"""The GNN predictor: soft encoder plus scoring head, optionally pre-trained.

With a pre-trained encoder and a ranking loss this is the dual-contrastive
predictor; without pre-training or with the MSE loss it gives the ablation
baselines of :mod:`ecgnas.predictor.variants`.

Every :meth:`GnnPredictor.fit` starts again from the pre-trained (or freshly
initialised, seeded) weights instead of continuing from the previous fit, so
a fit depends only on the labelled set and the configuration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ecgnas.exceptions import ConfigError
from ecgnas.predictor.base import Labelled, Predictor, check_labelled
from ecgnas.predictor.checkpoint import EncoderMismatchError, load_or_pretrain
from ecgnas.predictor.config import PredictorConfig, resolve_device
from ecgnas.predictor.finetuning import scoring_head, train_scorer
from ecgnas.predictor.graphs import GraphFeaturizer
from ecgnas.predictor.pretraining import PretrainedEncoder
from ecgnas.predictor.seeding import seeded_torch
from ecgnas.predictor.soft_encoder import SoftEncoder
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

SCORE_CHUNK = 4096
"""Graphs scored per forward pass, which bounds the memory of :meth:`GnnPredictor.score`."""


class GnnPredictor(Predictor):
    """Ranks architectures with a GIN encoder and a scoring head.

    Args:
        space: The space of every architecture passed in.
        config: Settings. When ``config.pretrain`` is set and ``encoder`` is
            ``None``, the first :meth:`fit` loads the encoder for these settings
            from ``cache_dir`` or pre-trains and saves it there.
        encoder: A pre-trained encoder to start from; requires ``config.pretrain``.
        cache_dir: Folder of pre-trained encoders (default:
            :func:`ecgnas.predictor.checkpoint.default_cache_dir`).

    Raises:
        EncoderMismatchError: ``encoder`` was trained for another space or
            with another encoder shape than ``config.encoder``.
        ConfigError: ``encoder`` is given but ``config.pretrain`` is ``None``.

    Example:
        >>> from ecgnas.spaces import CellSpace
        >>> from ecgnas.predictor import GnnPredictor, PredictorConfig
        >>> space = CellSpace("demo", ["conv", "pool"], max_nodes=5, max_edges=6)
        >>> archs = [space.sample(seed) for seed in range(20)]
        >>> labelled = [(arch, float(arch.n_edges)) for arch in archs]
        >>> predictor = GnnPredictor(space, PredictorConfig(pretrain=None, device="cpu")).fit(labelled)
        >>> predictor.score(archs[:3]).shape
        (3,)
    """

    def __init__(
        self,
        space: SearchSpace,
        config: PredictorConfig | None = None,
        encoder: PretrainedEncoder | None = None,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.space = space
        self.config = config or PredictorConfig()
        self.cache_dir = cache_dir
        self.device = resolve_device(self.config.device)
        self.temperature = self.config.finetune.temperature
        self.featurizer = GraphFeaturizer(space)
        if encoder is not None:
            _check_encoder(encoder, space, self.config)
        self.encoder = encoder
        self.members_: list[tuple[SoftEncoder, nn.Module]] = []
        self.losses_: list[list[float]] = []

    def fit(self, labelled: Labelled) -> GnnPredictor:
        """Fine-tune encoder copies and scoring heads on ``labelled`` and return ``self``.

        Raises:
            ConfigError: See :func:`ecgnas.predictor.base.check_labelled`.
            InvalidArchitectureError: An architecture is not in the space.
        """
        archs, metrics = check_labelled(labelled)
        for arch in archs:
            self.space.validate(arch)
        if self.config.pretrain is not None and self.encoder is None:
            self.encoder = load_or_pretrain(
                self.space, self.config.encoder, self.config.pretrain, self.cache_dir, self.config.device
            )
        started = time.perf_counter()
        batch = self.featurizer.batch(archs).to(self.device)
        targets = torch.as_tensor(metrics, dtype=torch.float32, device=self.device)
        finetune = self.config.finetune

        self.members_, self.losses_ = [], []
        for member in range(finetune.ensemble):
            with seeded_torch(self.config.seed + 1000 * member, self.device):
                encoder = self._initial_encoder().to(self.device)
                head = scoring_head(self.config.encoder.embedding, finetune.head_hidden).to(self.device)
                encoder_lr = finetune.learning_rate * finetune.encoder_lr_scale
                groups = [
                    {"params": list(encoder.parameters()), "lr": encoder_lr},
                    {"params": list(head.parameters()), "lr": finetune.learning_rate},
                ]
                history = train_scorer(
                    lambda encoder=encoder, head=head: head(encoder(batch)).squeeze(1),
                    groups,
                    [encoder, head],
                    targets,
                    finetune,
                )
            self.members_.append((encoder, head))
            self.losses_.append(history)
        logger.debug("fitted on %d labels in %.2f s", len(archs), time.perf_counter() - started)
        return self

    def score(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Return the mean score of the ensemble for each architecture, shape ``(len(archs),)``.

        Raises:
            ConfigError: :meth:`fit` has not been called.
        """
        if not self.members_:
            raise ConfigError("the predictor is not fitted; call fit(labelled) before score")
        scores = np.zeros(len(archs), dtype=np.float64)
        with torch.no_grad():
            for start in range(0, len(archs), SCORE_CHUNK):
                batch = self.featurizer.batch(archs[start : start + SCORE_CHUNK]).to(self.device)
                chunk = sum(head(encoder(batch)).squeeze(1) for encoder, head in self.members_)
                scores[start : start + SCORE_CHUNK] = (chunk / len(self.members_)).double().cpu().numpy()
        return scores

    def embed(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Return the starting encoder's embeddings, shape ``(len(archs), embedding)``.

        The starting encoder is the pre-trained one, or a fresh one seeded with ``config.seed``.
        """
        with seeded_torch(self.config.seed, self.device), torch.no_grad():
            encoder = self._initial_encoder().to(self.device).eval()
            return encoder(self.featurizer.batch(archs).to(self.device)).cpu().numpy()

    def _initial_encoder(self) -> SoftEncoder:
        if self.encoder is not None:
            return self.encoder.build()
        featurizer = self.featurizer
        return SoftEncoder(featurizer.n_node_features, featurizer.n_global_features, self.config.encoder)


def _check_encoder(encoder: PretrainedEncoder, space: SearchSpace, config: PredictorConfig) -> None:
    if config.pretrain is None:
        raise ConfigError(
            "a pre-trained encoder was given but config.pretrain is None; set config.pretrain "
            "or pass encoder=None to train from scratch"
        )
    if encoder.space_hash != space.space_hash:
        raise EncoderMismatchError(
            f"the encoder was pre-trained for a space with hash {encoder.space_hash!r}, but space "
            f"{space.name!r} has hash {space.space_hash!r}; pre-train an encoder for this space"
        )
    if encoder.encoder != config.encoder:
        raise EncoderMismatchError(
            f"the encoder has shape {encoder.encoder} but the predictor is configured with "
            f"{config.encoder}; use the same EncoderConfig for both"
        )
