"""Seeding torch without touching the caller's global random state."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def seeded_torch(seed: int, device: str) -> Iterator[torch.Generator]:
    """Run a block with torch's global generators seeded, then restore them.

    Weight initialisation and dropout draw from torch's global generators, so
    they are forked and seeded here; everything else in the predictor draws
    from the yielded :class:`torch.Generator` (CPU), seeded the same way.

    Args:
        seed: Seed of the block.
        device: The torch device the block computes on; its CUDA generator is
            forked as well when it is a GPU.

    Yields:
        A CPU generator seeded with ``seed``.
    """
    devices = [torch.device(device)] if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=devices, device_type="cuda"):
        torch.manual_seed(seed)
        generator = torch.Generator()
        generator.manual_seed(seed)
        yield generator
