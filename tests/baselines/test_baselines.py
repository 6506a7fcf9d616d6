"""Hand-designed baselines: shapes, layer sizes, TorchScript and ONNX export on real beats."""

import io
import warnings

import numpy as np
import onnxruntime
import pytest
import torch

from ecgnas.baselines import BASELINES, AcharyaCNN, KachueeResNet, build_baseline
from ecgnas.baselines.kachuee import ResidualBlock
from ecgnas.data.dataset import Normalizer
from ecgnas.data.splits import SPLITS
from ecgnas.exceptions import ConfigError
from ecgnas.training import TrainConfig, train_model


@pytest.fixture(scope="module")
def real_inputs(real_beats):
    """Nine normalised DS1 beats, as the tensors a model receives."""
    beats = real_beats.select(SPLITS["DS1"][:1])
    normalizer = Normalizer.fit(beats)
    waveform = torch.from_numpy(normalizer.waveforms(beats.waveforms[:9])).unsqueeze(1)
    rr = torch.from_numpy(normalizer.rr(beats.rr[:9]))
    return waveform, rr


@pytest.fixture(params=sorted(BASELINES))
def model(request):
    torch.manual_seed(0)
    return build_baseline(request.param).eval()


def test_output_shape(model, real_inputs):
    assert model(*real_inputs).shape == (9, 5)


def test_rr_features_reach_output(model, real_inputs):
    waveform, rr = real_inputs
    assert not torch.equal(model(waveform, rr), model(waveform, rr + 1.0))


def test_torchscript_matches_eager(model, real_inputs):
    scripted = torch.jit.script(model)
    torch.testing.assert_close(scripted(*real_inputs), model(*real_inputs), rtol=0, atol=1e-6)


def test_onnx_matches_eager(model, real_inputs):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The TorchScript-based exporter is deprecated in favour of one that needs onnxscript.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            model,
            real_inputs,
            buffer,
            dynamo=False,
            input_names=["waveform", "rr"],
            output_names=["logits"],
            dynamic_axes={"waveform": {0: "batch"}, "rr": {0: "batch"}},
        )
    session = onnxruntime.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    waveform, rr = real_inputs
    # A batch size other than the traced one checks the dynamic batch axis.
    (logits,) = session.run(None, {"waveform": waveform[:4].numpy(), "rr": rr[:4].numpy()})
    np.testing.assert_allclose(logits, model(waveform[:4], rr[:4]).detach().numpy(), rtol=0, atol=1e-4)


def test_kachuee_layer_sizes():
    model = KachueeResNet()
    blocks = [module for module in model.modules() if isinstance(module, ResidualBlock)]
    convolutions = [module for block in blocks for module in (block.conv1, block.conv2)]
    assert len(blocks) == 5
    shapes = {(conv.in_channels, conv.out_channels, conv.kernel_size) for conv in convolutions}
    assert shapes == {(32, 32, (5,))}
    # 252 samples -> 124 -> 60 -> 28 -> 12 -> 4 after five poolings, 32 channels each, plus 9 RR features.
    assert model.head[0].in_features == 32 * 4 + 9


def test_acharya_layer_sizes():
    model = AcharyaCNN()
    convolutions = [module for module in model.modules() if isinstance(module, torch.nn.Conv1d)]
    assert [(conv.out_channels, conv.kernel_size[0]) for conv in convolutions] == [(5, 3), (10, 4), (20, 4)]
    # 252 -> 250 -> 125 -> 122 -> 61 -> 58 -> 29 samples, 20 channels, plus 9 RR features.
    assert model.head[0].in_features == 20 * 29 + 9
    assert [layer.out_features for layer in model.head if isinstance(layer, torch.nn.Linear)] == [30, 20, 5]


def test_other_window_and_classes():
    model = build_baseline("kachuee2018", window=187, n_rr=3, n_classes=4)
    assert model(torch.zeros(2, 1, 187), torch.zeros(2, 3)).shape == (2, 4)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_short_window_rejected(name):
    with pytest.raises(ConfigError, match="window 20 is too short"):
        build_baseline(name, window=20)


def test_unknown_baseline_rejected():
    with pytest.raises(ConfigError, match="'resnet50'"):
        build_baseline("resnet50")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_kachuee_trains(real_beats):
    # A few hundred beats and one epoch only check that the residual network trains end to end.
    train = real_beats.select(SPLITS["search-train"][:2])
    validation = real_beats.select(SPLITS["search-validation"][:1])
    config = TrainConfig(epochs=1, batch_size=64, normal_fraction=0.1, device="cpu", max_threads=1)
    result = train_model(KachueeResNet, train, validation, config)
    assert result.ok
    assert result.parameter_count == sum(p.numel() for p in KachueeResNet().parameters())
