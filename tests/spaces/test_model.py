"""Tests of the 1D model builder and its parameter and MAC counts."""

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from ecgnas.exceptions import ConfigError
from ecgnas.spaces import Architecture, InvalidArchitectureError
from ecgnas.spaces.catalog import load_space
from ecgnas.spaces.cost import count_macs, count_parameters
from ecgnas.spaces.declaration import parse_declaration
from ecgnas.spaces.declared_space import DeclaredSpace
from ecgnas.spaces.model import Projection, build_model

SMALLEST = {"stem_width": 8, "cells_per_stack": 1}


def hand_space(downsample: str = "max_pool") -> DeclaredSpace:
    """Two stacks of one cell, widths 4 and 8, 16-sample input, linear head."""
    return DeclaredSpace(
        parse_declaration(
            {
                "name": "hand",
                "input": {"sampling_rate_hz": 360, "samples": 16, "rr_features": 2, "classes": 3},
                "cell": {
                    "max_nodes": 3,
                    "max_edges": 3,
                    "operations": {"conv_k3": {"type": "conv", "kernel_size": 3}},
                },
                "macro": {
                    "stem": {"kernel_size": 3, "width": 4},
                    "stacks": 2,
                    "cells_per_stack": 1,
                    "width_multiplier": 2,
                    "downsample": {"type": downsample, "kernel_size": 3, "stride": 2},
                    "head": {"hidden_units": 0, "dropout": 0.0},
                },
            }
        )
    )


def skip_cell() -> Architecture:
    """input -> conv_k3 -> output, plus input -> output."""
    return Architecture([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", "conv_k3", "output"])


def script(model):
    with warnings.catch_warnings():
        # torch 2.13 marks torch.jit.script as deprecated; scripting still works.
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.jit.script(model)


@pytest.fixture(autouse=True)
def one_thread():
    # These models are tiny, so a second intra-op thread only adds
    # synchronisation, which costs seconds per step when the cores are busy.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def ecg1d():
    return load_space("ecg1d")


@pytest.fixture(scope="module")
def ecg1d_pooled():
    return load_space("ecg1d-pooled")


@pytest.fixture(scope="module")
def random_cells(ecg1d):
    rng = np.random.default_rng(2024)
    return [ecg1d.sample(rng).with_choices(**SMALLEST) for _ in range(50)]


def test_parameters_match_hand_count():
    # Stem: conv 1*4*3 + BN 2*4 = 20. Stack 1 cell: conv 4*4*3 + BN 8 = 56.
    # Stack 2 cell (input width 4, cell width 8): two projections from the
    # input (to the conv node and to the output), each conv 4*8 + BN 16 = 48,
    # and conv 8*8*3 + BN 16 = 208. Head: Linear(8 + 2 -> 3) = 30 + 3 = 33.
    model = build_model(skip_cell(), hand_space())
    assert count_parameters(model) == 20 + 56 + 48 + 208 + 48 + 33


def test_macs_match_hand_count():
    # Stem: 4 channels x 16 samples x (1 x 3). Stack 1 conv: 4 x 16 x (4 x 3).
    # Stack 2 runs on 8 samples: two projections 8 x 8 x 4 each and the conv
    # 8 x 8 x (8 x 3). Head: 10 x 3.
    model = build_model(skip_cell(), hand_space())
    expected = 4 * 16 * 3 + 4 * 16 * 12 + 2 * (8 * 8 * 4) + 8 * 8 * 24 + 10 * 3
    assert count_macs(model, samples=16, rr_features=2) == expected


def test_conv_downsample_needs_no_projection():
    model = build_model(skip_cell(), hand_space("conv"))
    assert not any(isinstance(module, Projection) for module in model.modules())


def test_pool_downsample_projects_input_edges():
    model = build_model(skip_cell(), hand_space())
    assert sum(isinstance(module, Projection) for module in model.modules()) == 2


def test_count_macs_keeps_training_mode():
    model = build_model(skip_cell(), hand_space())
    count_macs(model, samples=16, rr_features=2)
    assert model.training


def test_random_cells_output_shape(ecg1d, random_cells):
    waveform, rr = torch.randn(2, 1, 252), torch.randn(2, 9)
    for arch in random_cells:
        assert build_model(arch, ecg1d)(waveform, rr).shape == (2, 5)


def test_random_cells_train_one_step(ecg1d, random_cells):
    torch.manual_seed(0)
    waveform, rr = torch.randn(4, 1, 252), torch.randn(4, 9)
    labels = torch.tensor([0, 1, 2, 3])
    for arch in random_cells:
        model = build_model(arch, ecg1d)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(waveform, rr), labels)
        loss.backward()
        optimizer.step()
        assert torch.isfinite(loss), arch
        assert all(torch.isfinite(p).all() for p in model.parameters()), arch


def test_random_cells_script(ecg1d, random_cells):
    # Only the cells vary between architectures, so each cell is scripted on its
    # own: the first cell of stack 2, which also has the input projections.
    states = torch.randn(2, 8, 126)
    for arch in random_cells:
        cell = build_model(arch, ecg1d).stages[1][1].eval()
        assert torch.allclose(script(cell)(states), cell(states), atol=1e-5), arch


def test_whole_models_script(ecg1d, random_cells):
    waveform, rr = torch.randn(2, 1, 252), torch.randn(2, 9)
    for arch in random_cells[:5]:
        model = build_model(arch.with_choices(cells_per_stack=2), ecg1d).eval()
        assert torch.allclose(script(model)(waveform, rr), model(waveform, rr), atol=1e-5), arch


def test_global_choices_change_model(ecg1d, random_cells):
    arch = random_cells[0]
    small = count_parameters(build_model(arch, ecg1d))
    wide = count_parameters(build_model(arch.with_choices(stem_width=32), ecg1d))
    deep = count_parameters(build_model(arch.with_choices(cells_per_stack=3), ecg1d))
    assert small < wide
    assert small < deep


def test_input_pool_keeps_weights_cuts_macs(ecg1d, ecg1d_pooled, random_cells):
    arch = next(cell for cell in random_cells if any(op.startswith("conv") for op in cell.operations))
    full = build_model(arch, ecg1d).eval()
    pooled = build_model(arch.with_choices(input_pool=6), ecg1d_pooled).eval()

    assert isinstance(pooled.stem[0], nn.AvgPool1d)
    assert pooled.stem[0].kernel_size == (6,)
    assert not isinstance(full.stem[0], nn.AvgPool1d)
    assert count_parameters(pooled) == count_parameters(full)
    # Every convolution runs on a sixth of the samples, but the head's MACs do not shrink.
    assert count_macs(pooled, 252, 9) < count_macs(full, 252, 9) / 4
    waveform, rr = torch.randn(3, 1, 252), torch.randn(3, 9)
    assert pooled(waveform, rr).shape == (3, 5)


@pytest.mark.parametrize("pool", [2, 3, 6])
def test_pooled_model_scripts(ecg1d_pooled, random_cells, pool):
    waveform, rr = torch.randn(2, 1, 252), torch.randn(2, 9)
    model = build_model(random_cells[0].with_choices(input_pool=pool), ecg1d_pooled).eval()
    assert torch.allclose(script(model)(waveform, rr), model(waveform, rr), atol=1e-5)


def test_head_dropout_and_hidden_used(ecg1d, random_cells):
    head = build_model(random_cells[0], ecg1d).head
    assert [type(layer).__name__ for layer in head] == ["Linear", "ReLU", "Dropout", "Linear"]


def test_overrides_classes_and_rr(ecg1d, random_cells):
    model = build_model(random_cells[0], ecg1d, n_classes=2, rr_features=0)
    assert model(torch.randn(3, 1, 252), torch.zeros(3, 0)).shape == (3, 2)


def test_rejects_invalid_architecture(ecg1d):
    arch = Architecture([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv_k4", "output"], SMALLEST)
    with pytest.raises(InvalidArchitectureError, match="conv_k4"):
        build_model(arch, ecg1d)


def test_rejects_space_without_macro():
    space = load_space("nasbench101")
    arch = Architecture([[0, 1], [0, 0]], ["input", "output"])
    with pytest.raises(ConfigError, match="no 'macro' section"):
        build_model(arch, space)


def test_rejects_zero_classes(ecg1d, random_cells):
    with pytest.raises(ConfigError, match="n_classes is 0"):
        build_model(random_cells[0], ecg1d, n_classes=0)


def test_real_beats_forward_backward(ecg1d, real_beats):
    # A few hundred beats spread over the whole set, so several AAMI classes occur.
    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(len(real_beats), 300, replace=False))
    waveform = torch.from_numpy(real_beats.waveforms[rows]).unsqueeze(1)
    rr = torch.from_numpy(real_beats.rr[rows])
    labels = torch.from_numpy(real_beats.labels[rows])
    arch = ecg1d.sample(np.random.default_rng(3))
    model = build_model(arch, ecg1d)

    loss = torch.nn.functional.cross_entropy(model(waveform, rr), labels)
    loss.backward()

    assert waveform.shape[-1] == ecg1d.model_input.samples
    assert torch.isfinite(loss)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


@pytest.mark.parametrize("pool", [1, 6])
def test_onnx_export_matches(ecg1d_pooled, random_cells, tmp_path, pool):
    onnxruntime = pytest.importorskip("onnxruntime")
    # Factor 1 builds the same network as ecg1d.
    model = build_model(random_cells[1].with_choices(input_pool=pool), ecg1d_pooled).eval()
    waveform, rr = torch.randn(3, 1, 252), torch.randn(3, 9)
    path = tmp_path / "model.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript-based exporter; the dynamo exporter needs onnxscript.
        torch.onnx.export(model, (waveform, rr), path, input_names=["waveform", "rr"], dynamo=False)
    session = onnxruntime.InferenceSession(str(path))
    (logits,) = session.run(None, {"waveform": waveform.numpy(), "rr": rr.numpy()})
    assert np.allclose(logits, model(waveform, rr).detach().numpy(), atol=1e-5)
