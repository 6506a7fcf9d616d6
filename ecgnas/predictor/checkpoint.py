"""Saving and loading pre-trained encoders, keyed by the hash of their space.

A file holds only tensors and plain values, so it loads with
``torch.load(weights_only=True)``, which never unpickles arbitrary objects.
:func:`load_or_pretrain` keeps one file per (space, encoder shape,
pre-training settings) in a cache folder, so later searches on the same space
reuse the weights instead of pre-training again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import torch

from ecgnas.exceptions import ConfigError, DataNotFoundError
from ecgnas.predictor.config import EncoderConfig, PretrainConfig
from ecgnas.predictor.pretraining import PretrainedEncoder, pretrain_encoder
from ecgnas.spaces.architecture import Architecture
from ecgnas.spaces.base import SearchSpace

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Version of the checkpoint layout; files with another version are rejected."""


class EncoderMismatchError(ConfigError):
    """A saved encoder was made for another space or with another shape."""


def save_encoder(encoder: PretrainedEncoder, path: str | Path) -> Path:
    """Write ``encoder`` to ``path`` (parent folders are created), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format_version": FORMAT_VERSION,
        "space_hash": encoder.space_hash,
        "encoder": dataclasses.asdict(encoder.encoder),
        "pretrain": dataclasses.asdict(encoder.pretrain),
        "n_node_features": encoder.n_node_features,
        "n_global_features": encoder.n_global_features,
        "losses": list(encoder.losses),
        "state": encoder.state,
    }
    partial = path.with_name(path.name + f".{os.getpid()}.partial")
    torch.save(payload, partial)
    partial.replace(path)
    return path


def load_encoder(path: str | Path, space: SearchSpace) -> PretrainedEncoder:
    """Read an encoder saved by :func:`save_encoder` and check it belongs to ``space``.

    Raises:
        DataNotFoundError: ``path`` does not exist.
        EncoderMismatchError: The file was written for another space (its
            space hash differs), with another layout version, or is not an
            encoder checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"encoder checkpoint {path} not found; pre-train one with load_or_pretrain")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as error:
        raise EncoderMismatchError(
            f"{path} is not a readable encoder checkpoint ({type(error).__name__}: {error}); "
            "delete it and pre-train again"
        ) from error
    if not isinstance(payload, dict) or payload.get("format_version") != FORMAT_VERSION:
        version = payload.get("format_version") if isinstance(payload, dict) else None
        raise EncoderMismatchError(
            f"{path} has checkpoint format version {version!r}, expected {FORMAT_VERSION}; "
            "delete it and pre-train again"
        )
    if payload["space_hash"] != space.space_hash:
        raise EncoderMismatchError(
            f"encoder {path} was pre-trained for a space with hash {payload['space_hash']!r}, but "
            f"space {space.name!r} has hash {space.space_hash!r}; pre-train an encoder for this "
            "space instead of reusing one from another space"
        )
    return PretrainedEncoder(
        space_hash=payload["space_hash"],
        encoder=EncoderConfig(**payload["encoder"]),
        pretrain=PretrainConfig(**payload["pretrain"]),
        n_node_features=int(payload["n_node_features"]),
        n_global_features=int(payload["n_global_features"]),
        state=payload["state"],
        losses=[float(value) for value in payload["losses"]],
    )


def checkpoint_name(
    space: SearchSpace, encoder: EncoderConfig, pretrain: PretrainConfig, pool_id: str | None = None
) -> str:
    """File name that identifies the space, the encoder shape, the pre-training settings and the pool."""
    settings = json.dumps(
        {"encoder": dataclasses.asdict(encoder), "pretrain": dataclasses.asdict(pretrain), "pool": pool_id},
        sort_keys=True,
    )
    digest = hashlib.sha256(settings.encode("utf-8")).hexdigest()[:12]
    return f"encoder-{space.space_hash}-{digest}.pt"


def default_cache_dir() -> Path:
    """``$ECGNAS_CACHE_DIR/encoders``, else ``~/.cache/ecgnas/encoders``."""
    root = os.environ.get("ECGNAS_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "ecgnas") / "encoders"


def load_or_pretrain(
    space: SearchSpace,
    encoder: EncoderConfig,
    pretrain: PretrainConfig,
    cache_dir: str | Path | None = None,
    device: str = "auto",
    archs: Sequence[Architecture] | None = None,
    pool_id: str | None = None,
) -> PretrainedEncoder:
    """Return the cached encoder for these settings, pre-training and saving it first if absent.

    Args:
        space: The space of the encoder.
        encoder: The encoder's shape.
        pretrain: Pre-training settings.
        cache_dir: Folder of the checkpoints (default: :func:`default_cache_dir`).
        device: Where to pre-train.
        archs: Cells to pre-train on instead of ``pretrain.n_archs`` sampled ones.
        pool_id: Names ``archs`` in the file name; required with ``archs``.

    Raises:
        ConfigError: ``archs`` is given without ``pool_id``.
    """
    if archs is not None and not pool_id:
        raise ConfigError(
            "load_or_pretrain got archs without a pool_id; name the pool so its cache file differs"
        )
    path = Path(cache_dir or default_cache_dir()) / checkpoint_name(space, encoder, pretrain, pool_id)
    if path.is_file():
        logger.info("reusing pre-trained encoder %s", path)
        return load_encoder(path, space)
    result = pretrain_encoder(space, encoder, pretrain, device=device, archs=archs)
    save_encoder(result, path)
    logger.info("saved pre-trained encoder to %s", path)
    return result
