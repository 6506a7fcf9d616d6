"""train_model on real MIT-BIH beats: learning, determinism, failures and every setting."""

import logging

import numpy as np
import pytest
import torch
from torch import nn

from ecgnas.baselines import AcharyaCNN
from ecgnas.data.dataset import Normalizer
from ecgnas.exceptions import ConfigError
from ecgnas.training import TrainConfig, evaluate_model, predict_proba, train_model
from ecgnas.training.fit import _make_scheduler
from ecgnas.training.metrics import evaluate_predictions
from ecgnas.training.subsample import take_beats

# One-epoch models on a few hundred beats often never predict a rare class, so the
# metrics warn about undefined values. Those warnings are tested in test_metrics.py.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ecgnas.training.metrics.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore::ecgnas.data.dataset.MissingClassWarning"),
]

FAST = {"epochs": 1, "batch_size": 64, "device": "cpu", "max_threads": 1}


class RecordingModel(nn.Module):
    """The Acharya baseline, noting the batch size, mode and thread count of every call."""

    def __init__(self) -> None:
        super().__init__()
        self.inner = AcharyaCNN()
        self.calls: list[tuple[bool, int, int]] = []

    def forward(self, waveform, rr):
        self.calls.append((self.training, waveform.shape[0], torch.get_num_threads()))
        return self.inner(waveform, rr)


class NanModel(nn.Module):
    """A model whose logits are NaN from the first training step after ``clean_steps`` steps."""

    def __init__(self, clean_steps: int = 0) -> None:
        super().__init__()
        self.inner = AcharyaCNN()
        self.clean_steps = clean_steps
        self.steps = 0

    def forward(self, waveform, rr):
        logits = self.inner(waveform, rr)
        if self.training:
            self.steps += 1
            if self.steps > self.clean_steps:
                return logits * torch.log(-torch.ones(1))
        return logits


class BrokenModel(nn.Module):
    """A model that raises inside its forward pass, as a faulty candidate would."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, waveform, rr):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")


def trained_weights(model: nn.Module) -> torch.Tensor:
    return torch.cat([parameter.detach().flatten() for parameter in model.parameters()])


def train_seeded(train, validation, **settings):
    """Train an Acharya model built from the config's seed; return the result and the model."""
    built: list[nn.Module] = []

    def factory():
        built.append(AcharyaCNN())
        return built[-1]

    result = train_model(factory, train, validation, TrainConfig(**{**FAST, **settings}))
    return result, built[0]


def fit_weights(train, validation, **settings) -> torch.Tensor:
    """Train a seeded Acharya model and return its flattened weights."""
    result, model = train_seeded(train, validation, **settings)
    assert result.ok
    return trained_weights(model)


@pytest.fixture(scope="module")
def baseline_weights(tiny_train, tiny_validation):
    return fit_weights(tiny_train, tiny_validation)


def test_baseline_beats_chance(search_train, search_validation):
    config = TrainConfig(
        epochs=2,
        batch_size=64,
        learning_rate=3e-3,
        class_balance="sampling",
        normal_fraction=0.1,
        restore_best=True,
        seed=0,
        device="cpu",
        max_threads=1,
    )
    result = train_model(AcharyaCNN, search_train, search_validation, config)
    labels = search_validation.labels
    majority = evaluate_predictions(labels, np.zeros_like(labels)).macro_f1
    rng = np.random.default_rng(0)
    uniform = evaluate_predictions(labels, rng.integers(0, 5, labels.size)).macro_f1
    assert result.ok
    assert result.score > majority + 0.05
    assert result.score > 2 * uniform


def test_same_seed_bit_identical(tiny_train, tiny_validation):
    first, first_model = train_seeded(tiny_train, tiny_validation, seed=3, epochs=2)
    second, second_model = train_seeded(tiny_train, tiny_validation, seed=3, epochs=2)
    assert first.train_losses == second.train_losses
    np.testing.assert_array_equal(first.final_metrics.confusion, second.final_metrics.confusion)
    assert torch.equal(trained_weights(first_model), trained_weights(second_model))


def test_augmented_run_same_seed_bit_identical(tiny_train, tiny_validation):
    settings = {"seed": 3, "augment_scale": 0.2, "augment_shift": 6, "augment_noise": 0.05}
    _, first_model = train_seeded(tiny_train, tiny_validation, **settings)
    _, second_model = train_seeded(tiny_train, tiny_validation, **settings)
    assert torch.equal(trained_weights(first_model), trained_weights(second_model))


def test_other_seed_differs(tiny_train, tiny_validation):
    first = train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**FAST, seed=3))
    second = train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**FAST, seed=4))
    assert first.train_losses != second.train_losses


def test_nan_model_fails_with_reason(tiny_train, tiny_validation, caplog):
    with caplog.at_level(logging.WARNING, logger="ecgnas.training.fit"):
        result = train_model(NanModel(), tiny_train, tiny_validation, TrainConfig(**FAST))
    assert result.status == "failed"
    assert "non-finite training loss" in result.reason
    assert result.final_metrics is None
    assert "non-finite" in caplog.text


def test_error_becomes_failed_result(tiny_train, tiny_validation, caplog):
    with caplog.at_level(logging.WARNING, logger="ecgnas.training.fit"):
        result = train_model(BrokenModel(), tiny_train, tiny_validation, TrainConfig(**FAST))
    assert result.status == "failed"
    assert result.reason == "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"
    assert caplog.records[-1].exc_info is not None


def test_failing_factory_becomes_failed_result(tiny_train, tiny_validation):
    def factory():
        raise ValueError("kernel size larger than the input")

    result = train_model(factory, tiny_train, tiny_validation, TrainConfig(**FAST))
    assert result.reason == "ValueError: kernel size larger than the input"


def test_wrong_logit_shape_fails(tiny_train, tiny_validation):
    result = train_model(AcharyaCNN(n_classes=3), tiny_train, tiny_validation, TrainConfig(**FAST))
    assert result.status == "failed"
    assert "(64, 3)" in result.reason


def test_failed_run_keeps_finished_epochs(tiny_train, tiny_validation):
    # One step per epoch with batches of 1024, so the loss turns NaN in epoch 2.
    config = TrainConfig(**{**FAST, "epochs": 3, "batch_size": 1024})
    result = train_model(NanModel(clean_steps=1), tiny_train, tiny_validation, config)
    assert result.status == "failed"
    assert "epoch 2, step 1" in result.reason
    assert len(result.epochs) == 1


def test_class_weights_change_training(tiny_train, tiny_validation, baseline_weights):
    unweighted = fit_weights(tiny_train, tiny_validation, class_balance="none")
    assert not torch.equal(unweighted, baseline_weights)


def test_balanced_sampling_changes_training(tiny_train, tiny_validation, baseline_weights):
    sampled = fit_weights(tiny_train, tiny_validation, class_balance="sampling")
    assert not torch.equal(sampled, baseline_weights)


def test_weights_and_sampling_differ(tiny_train, tiny_validation):
    sampled = fit_weights(tiny_train, tiny_validation, class_balance="sampling")
    unweighted = fit_weights(tiny_train, tiny_validation, class_balance="none")
    assert not torch.equal(sampled, unweighted)


@pytest.mark.parametrize(
    "settings",
    [
        {"learning_rate": 1e-2},
        {"weight_decay": 0.1},
        {"optimizer": "sgd"},
        {"optimizer": "adamw", "weight_decay": 0.1},
        {"lr_schedule": "cosine"},
        {"class_weight_power": 0.5},
        {"augment_scale": 0.2, "augment_shift": 6, "augment_noise": 0.05, "augment_rr_noise": 0.05},
        {"seed": 1},
    ],
)
def test_setting_changes_weights(tiny_train, tiny_validation, baseline_weights, settings):
    assert not torch.equal(fit_weights(tiny_train, tiny_validation, **settings), baseline_weights)


def test_cosine_schedule_reaches_zero():
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.2)
    scheduler = _make_scheduler(
        optimizer, TrainConfig(learning_rate=0.2, lr_schedule="cosine"), total_steps=4
    )
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(4):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    np.testing.assert_allclose(rates, [0.2, 0.2 * 0.853553, 0.1, 0.2 * 0.146447, 0.0], atol=1e-6)


def test_constant_schedule_has_no_scheduler():
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.2)
    assert _make_scheduler(optimizer, TrainConfig(), total_steps=4) is None


def test_epochs_setting(tiny_train, tiny_validation):
    result = train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**{**FAST, "epochs": 3}))
    assert [record.epoch for record in result.epochs] == [1, 2, 3]


def test_batch_size_setting(tiny_train, tiny_validation):
    model = RecordingModel()
    result = train_model(model, tiny_train, tiny_validation, TrainConfig(**{**FAST, "batch_size": 100}))
    assert result.steps_per_epoch == -(-len(tiny_train) // 100)
    assert max(size for training, size, _ in model.calls if training) == 100


def test_eval_batch_size_setting(tiny_train, tiny_validation):
    model = RecordingModel()
    train_model(model, tiny_train, tiny_validation, TrainConfig(**FAST, eval_batch_size=50))
    assert max(size for training, size, _ in model.calls if not training) == 50


def test_max_threads_setting(tiny_train, tiny_validation):
    model = RecordingModel()
    result = train_model(model, tiny_train, tiny_validation, TrainConfig(**FAST))
    assert {threads for _, _, threads in model.calls} == {1}
    assert result.threads == 1


def test_normal_fraction_setting(search_train, tiny_validation):
    small = take_beats(search_train, np.arange(len(search_train)) % 20 == 0)
    result = train_model(AcharyaCNN, small, tiny_validation, TrainConfig(**FAST, normal_fraction=0.25))
    expected = round(0.25 * small.class_counts()[0]) + small.class_counts()[1:].sum()
    assert result.train_beats == expected


def test_device_setting(tiny_train, tiny_validation):
    result = train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**FAST))
    assert result.device == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without a GPU")
def test_cuda_device_unavailable_raises(tiny_train, tiny_validation):
    with pytest.raises(ConfigError, match="CUDA is not available"):
        train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**{**FAST, "device": "cuda"}))


def test_mixed_precision_off_on_cpu(tiny_train, tiny_validation):
    result = train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**FAST, mixed_precision=True))
    assert result.mixed_precision is False


def test_restore_best_setting(tiny_train, tiny_validation):
    model = AcharyaCNN()
    config = TrainConfig(**{**FAST, "epochs": 4}, restore_best=True, learning_rate=1e-2)
    result = train_model(model, tiny_train, tiny_validation, config)
    best = result.epochs[result.best_epoch - 1].validation
    assert result.final_metrics is best
    reevaluated = evaluate_model(model, tiny_validation, result.normalizer)
    np.testing.assert_array_equal(reevaluated.confusion, best.confusion)


def test_validate_every_epoch_setting(tiny_train, tiny_validation):
    every, _ = train_seeded(tiny_train, tiny_validation, epochs=2)
    last_only, _ = train_seeded(tiny_train, tiny_validation, epochs=2, validate_every_epoch=False)
    assert every.epochs[0].validation is not None
    assert last_only.epochs[0].validation is None
    # Validation passes use no randomness, so skipping one leaves training unchanged.
    np.testing.assert_array_equal(last_only.final_metrics.confusion, every.final_metrics.confusion)


def test_restore_best_needs_every_epoch():
    with pytest.raises(ConfigError, match="restore_best needs a validation score after every epoch"):
        TrainConfig(restore_best=True, validate_every_epoch=False)


def test_macro_classes_setting(tiny_train, tiny_validation):
    config = TrainConfig(**FAST, macro_classes=("S", "V"))
    result = train_model(AcharyaCNN, tiny_train, tiny_validation, config)
    metrics = result.final_metrics
    assert metrics.macro_classes == ("S", "V")
    assert metrics.macro_f1 == pytest.approx(np.mean(metrics.f1[[1, 2]]))


def test_normalizer_fitted_on_train_only(tiny_train, tiny_validation):
    result = train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**FAST))
    assert result.normalizer == Normalizer.fit(tiny_train)


def test_result_figures(tiny_train, tiny_validation):
    result = train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**FAST))
    assert result.parameter_count == sum(p.numel() for p in AcharyaCNN().parameters())
    assert result.device_seconds > 0
    assert result.train_beats == len(tiny_train)


def test_final_metrics_match_evaluation(tiny_train, tiny_validation):
    model = AcharyaCNN()
    result = train_model(model, tiny_train, tiny_validation, TrainConfig(**FAST))
    reevaluated = evaluate_model(model, tiny_validation, result.normalizer)
    np.testing.assert_array_equal(reevaluated.confusion, result.final_metrics.confusion)


def test_predict_proba_rows_sum_to_one(tiny_train, tiny_validation):
    model = AcharyaCNN()
    result = train_model(model, tiny_train, tiny_validation, TrainConfig(**FAST))
    probabilities = predict_proba(model, tiny_validation, result.normalizer, batch_size=97)
    assert probabilities.shape == (len(tiny_validation), 5)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_predict_restores_training_mode(tiny_validation):
    model = AcharyaCNN().train()
    predict_proba(model, tiny_validation, Normalizer.fit(tiny_validation))
    assert model.training


def test_epoch_log_lines(tiny_train, tiny_validation, caplog):
    with caplog.at_level(logging.INFO, logger="ecgnas.training.fit"):
        train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**{**FAST, "epochs": 2}))
    lines = [record.getMessage() for record in caplog.records if "epoch" in record.getMessage()]
    assert len(lines) == 2
    assert "ETA" in lines[0]


def test_global_rng_untouched(tiny_train, tiny_validation):
    torch.manual_seed(11)
    expected = torch.rand(4)
    torch.manual_seed(11)
    train_model(AcharyaCNN, tiny_train, tiny_validation, TrainConfig(**FAST))
    torch.testing.assert_close(torch.rand(4), expected)


def test_empty_train_rejected(tiny_train, tiny_validation):
    empty = take_beats(tiny_train, np.zeros(len(tiny_train), dtype=bool))
    with pytest.raises(ConfigError, match="train beat set is empty"):
        train_model(AcharyaCNN, empty, tiny_validation, TrainConfig(**FAST))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_mixed_precision_trains(tiny_train, tiny_validation):
    config = TrainConfig(**{**FAST, "device": "cuda"}, mixed_precision=True)
    result = train_model(AcharyaCNN, tiny_train, tiny_validation, config)
    assert result.ok
    assert result.mixed_precision is True
    assert result.device.startswith("cuda:")
