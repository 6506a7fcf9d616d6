"""Device resolution and the per-run PyTorch settings."""

import pytest
import torch

from ecgnas.exceptions import ConfigError
from ecgnas.training.device import resolve_device, run_settings


def test_auto_matches_cuda_availability():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


def test_cpu_resolves():
    assert resolve_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without a GPU")
def test_cuda_without_gpu_rejected():
    with pytest.raises(ConfigError, match="CUDA is not available"):
        resolve_device("cuda")


def test_unknown_device_rejected():
    with pytest.raises(ConfigError, match="'tpu'"):
        resolve_device("tpu")


def test_run_settings_restores_threads():
    before = torch.get_num_threads()
    with run_settings(torch.device("cpu"), seed=0, max_threads=1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_run_settings_restores_determinism():
    before = torch.are_deterministic_algorithms_enabled()
    with run_settings(torch.device("cpu"), seed=0, max_threads=None):
        assert torch.are_deterministic_algorithms_enabled()
    assert torch.are_deterministic_algorithms_enabled() == before


def test_run_settings_leaves_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    with run_settings(torch.device("cpu"), seed=0, max_threads=None):
        torch.rand(5)
    torch.testing.assert_close(torch.rand(3), expected)


def test_run_settings_seeds_inside():
    with run_settings(torch.device("cpu"), seed=4, max_threads=None):
        first = torch.rand(3)
    with run_settings(torch.device("cpu"), seed=4, max_threads=None):
        second = torch.rand(3)
    torch.testing.assert_close(first, second)
