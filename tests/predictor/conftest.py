"""A small cell space with a synthetic metric, and a tiny pre-trained encoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ecgnas.predictor import EncoderConfig, PredictorConfig, PretrainConfig, pretrain_encoder
from ecgnas.spaces import Architecture, CellSpace, GlobalChoice

OPERATIONS = ("conv3x3", "conv1x1", "pool")


def synthetic_metric(arch: Architecture) -> float:
    """A metric that depends on paths and operations, so it has an order to learn."""
    paths = arch.pruned().paths()
    convs = sum(path.count("conv3x3") + 0.5 * path.count("conv1x1") for path in paths)
    width = {8: 0.0, 16: 0.5}[arch.choices.get("width", 8)]
    return convs + 0.3 * len(paths) - 0.2 * arch.pruned().n_edges + width


@pytest.fixture(autouse=True)
def one_thread():
    """Run torch on one thread, as other tests share the CPU cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def space() -> CellSpace:
    return CellSpace(
        "tiny", OPERATIONS, max_nodes=6, max_edges=7, global_choices=(GlobalChoice("width", (8, 16)),)
    )


@pytest.fixture(scope="session")
def labelled(space) -> list[tuple[Architecture, float]]:
    rng = np.random.default_rng(7)
    return [(arch, synthetic_metric(arch)) for arch in (space.sample(rng) for _ in range(260))]


SMALL_ENCODER = EncoderConfig(hidden=16, layers=2, embedding=16)
SMALL_PRETRAIN = PretrainConfig(n_archs=200, epochs=3, batch_size=50, n_neighbours=3)


def small_config(**finetune_changes) -> PredictorConfig:
    """A fast configuration for tests: small encoder, few steps, CPU."""
    from ecgnas.predictor import FinetuneConfig

    finetune = FinetuneConfig(epochs=40, **finetune_changes)
    return PredictorConfig(encoder=SMALL_ENCODER, pretrain=SMALL_PRETRAIN, finetune=finetune, device="cpu")


@pytest.fixture(scope="session")
def encoder(space):
    torch.set_num_threads(1)
    return pretrain_encoder(space, SMALL_ENCODER, SMALL_PRETRAIN, device="cpu")
