"""Choosing the compute device and scoping process-wide PyTorch settings to one run."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from ecgnas.exceptions import ConfigError


def resolve_device(name: str = "auto") -> torch.device:
    """Turn a device name into a :class:`torch.device`.

    Args:
        name: ``auto`` (the current CUDA device when one is available, else the CPU),
            ``cpu``, ``cuda`` or ``cuda:N``.

    Raises:
        ConfigError: The name is unknown, or CUDA is requested but not available.
    """
    if name == "auto":
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise ConfigError(f"unknown device {name!r}; use 'auto', 'cpu', 'cuda' or 'cuda:N'") from None
    if device.type not in ("cpu", "cuda"):
        raise ConfigError(f"unsupported device {name!r}; use 'auto', 'cpu', 'cuda' or 'cuda:N'")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device {name!r} requested but CUDA is not available; use 'cpu' or 'auto'")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ConfigError(
                f"device {name!r} requested but only {torch.cuda.device_count()} CUDA devices exist; "
                f"use an index below {torch.cuda.device_count()}"
            )
    return device


@contextlib.contextmanager
def run_settings(device: torch.device, seed: int, max_threads: int | None) -> Iterator[None]:
    """Seed PyTorch and set threads and determinism for one run, then restore them.

    The global generators are forked, so seeding here leaves the caller's random
    state as it was. Deterministic algorithms are required on the CPU. On CUDA they
    only warn when an operation has no deterministic version, because some cuDNN and
    cuBLAS kernels need environment settings that a library cannot make safely.
    """
    cuda_devices = (
        [device.index if device.index is not None else torch.cuda.current_device()]
        if (device.type == "cuda")
        else []
    )
    previous_threads = torch.get_num_threads()
    previous_deterministic = torch.are_deterministic_algorithms_enabled()
    previous_warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    previous_cudnn_benchmark = torch.backends.cudnn.benchmark
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(seed)
        try:
            if max_threads is not None:
                torch.set_num_threads(max_threads)
            torch.use_deterministic_algorithms(True, warn_only=device.type == "cuda")
            torch.backends.cudnn.benchmark = False
            yield
        finally:
            torch.set_num_threads(previous_threads)
            torch.use_deterministic_algorithms(previous_deterministic, warn_only=previous_warn_only)
            torch.backends.cudnn.benchmark = previous_cudnn_benchmark


def synchronize(device: torch.device) -> None:
    """Wait for queued work on ``device`` so that a wall-clock reading covers it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
