"""Weight averaging: the running mean, batch-norm statistics, and training with average_epochs."""

import pytest
import torch
from torch import nn

from ecgnas.baselines import AcharyaCNN
from ecgnas.exceptions import ConfigError
from ecgnas.training import TrainConfig, evaluate_model, train_model
from ecgnas.training.weight_average import WeightAverage, refresh_batch_norm

pytestmark = [
    pytest.mark.filterwarnings("ignore::ecgnas.training.metrics.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore::ecgnas.data.dataset.MissingClassWarning"),
]

FAST = {"batch_size": 64, "device": "cpu", "max_threads": 1, "validate_every_epoch": False}


class NormedModel(nn.Module):
    """A batch norm on the waveform, then a linear layer: its running mean is the data's mean."""

    def __init__(self, length: int = 4) -> None:
        super().__init__()
        self.norm = nn.BatchNorm1d(1)
        self.head = nn.Linear(length, 5)

    def forward(self, waveform, rr):
        return self.head(self.norm(waveform).flatten(1))


def test_mean_of_three_states():
    module = nn.Linear(2, 1)
    average = WeightAverage()
    for value in (1.0, 2.0, 6.0):
        nn.init.constant_(module.weight, value)
        average.add(module)
    average.apply_to(module)
    assert average.count == 3
    assert torch.allclose(module.weight, torch.full((1, 2), 3.0))


def test_integer_buffers_keep_last_value():
    module = nn.BatchNorm1d(2)
    average = WeightAverage()
    for batches in (3, 8):
        module.num_batches_tracked.fill_(batches)
        average.add(module)
    average.apply_to(module)
    assert int(module.num_batches_tracked) == 8


def test_apply_before_add_raises():
    with pytest.raises(RuntimeError, match="call add\\(\\) after at least one epoch"):
        WeightAverage().apply_to(nn.Linear(2, 1))


def test_refresh_batch_norm_measures_the_data():
    generator = torch.Generator().manual_seed(0)
    batches = [
        (3.0 + 2.0 * torch.randn(8, 1, 4, generator=generator), torch.zeros(8, 2), None) for _ in range(5)
    ]
    model = NormedModel().eval()
    model.norm.momentum = 0.3
    refresh_batch_norm(model, batches, torch.device("cpu"))

    # With momentum None the running mean is the plain mean of the batch means.
    batch_means = torch.stack([waveform.mean() for waveform, _, _ in batches])
    assert model.norm.running_mean.item() == pytest.approx(batch_means.mean().item(), abs=1e-5)
    assert model.norm.momentum == 0.3
    assert not model.training


def test_refresh_leaves_model_without_batch_norm_alone():
    model = AcharyaCNN()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    refresh_batch_norm(model, [], torch.device("cpu"))
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name])


def trained(train, validation, **settings):
    torch.manual_seed(0)
    model = AcharyaCNN()
    result = train_model(model, train, validation, TrainConfig(**{**FAST, **settings}))
    assert result.ok
    return result, model


def test_averaging_one_epoch_keeps_last_weights(tiny_train, tiny_validation):
    # Acharya's network has no batch norm, so averaging the last epoch alone changes nothing.
    _, last = trained(tiny_train, tiny_validation, epochs=2)
    _, averaged = trained(tiny_train, tiny_validation, epochs=2, average_epochs=1)
    for name, value in last.state_dict().items():
        assert torch.equal(value, averaged.state_dict()[name]), name


def test_averaging_two_epochs_gives_their_mean(tiny_train, tiny_validation):
    _, first = trained(tiny_train, tiny_validation, epochs=1)
    _, second = trained(tiny_train, tiny_validation, epochs=2)
    result, averaged = trained(tiny_train, tiny_validation, epochs=2, average_epochs=2)
    for name, value in averaged.state_dict().items():
        expected = (first.state_dict()[name] + second.state_dict()[name]) / 2
        assert torch.allclose(value, expected, atol=1e-6), name

    # The last epoch's validation scores the averaged weights.
    reevaluated = evaluate_model(averaged, tiny_validation, result.normalizer)
    assert (reevaluated.confusion == result.final_metrics.confusion).all()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 2, "average_epochs": 3}, "must not exceed epochs"),
        ({"average_epochs": -1}, "average_epochs must be an integer >= 0"),
        ({"average_epochs": 2, "restore_best": True}, "set restore_best=False or average_epochs=0"),
    ],
)
def test_bad_average_epochs_rejected(settings, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**settings)
