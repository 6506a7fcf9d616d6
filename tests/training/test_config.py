"""TrainConfig validation: every bad value is rejected with a message that names it."""

import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.training.config import TrainConfig

BAD_VALUES = [
    ("epochs", 0),
    ("epochs", 2.5),
    ("epochs", True),
    ("batch_size", 0),
    ("batch_size", "64"),
    ("eval_batch_size", -1),
    ("learning_rate", 0.0),
    ("learning_rate", float("nan")),
    ("learning_rate", "fast"),
    ("weight_decay", -1e-4),
    ("weight_decay", float("inf")),
    ("optimizer", "rmsprop"),
    ("lr_schedule", "step"),
    ("class_balance", "oversample"),
    ("class_weight_power", -0.5),
    ("class_weight_power", float("inf")),
    ("average_epochs", -1),
    ("normal_fraction", 0.0),
    ("normal_fraction", 1.5),
    ("seed", -1),
    ("augment_scale", 1.0),
    ("augment_scale", -0.1),
    ("augment_shift", -1),
    ("augment_shift", 2.5),
    ("augment_noise", -0.01),
    ("augment_rr_noise", float("nan")),
    ("seed", 1.0),
    ("device", "tpu"),
    ("device", "cuda:x"),
    ("mixed_precision", "yes"),
    ("max_threads", 0),
    ("restore_best", 1),
    ("macro_classes", ()),
    ("macro_classes", "NSVF"),
    ("macro_classes", ("N", "X")),
]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
def test_bad_value_rejected(field, value):
    with pytest.raises(ConfigError) as info:
        TrainConfig(**{field: value})
    message = str(info.value)
    assert field in message
    assert repr(value) in message


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
def test_bad_value_message_gives_fix(field, value):
    with pytest.raises(ConfigError) as info:
        TrainConfig(**{field: value})
    assert any(word in str(info.value) for word in ("must", "use", "choose"))


def test_defaults_valid():
    config = TrainConfig()
    assert config.as_dict()["optimizer"] == "adam"


def test_macro_classes_list_becomes_tuple():
    assert TrainConfig(macro_classes=["S", "V"]).macro_classes == ("S", "V")


def test_cuda_index_accepted():
    assert TrainConfig(device="cuda:1").device == "cuda:1"
