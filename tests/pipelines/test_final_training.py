"""Final training's epoch choices on all of DS1, on a few real records."""

import dataclasses
import math

import torch

from ecgnas.data.splits import split_records
from ecgnas.pipelines.final_training import train_on_ds1
from ecgnas.spaces.catalog import load_space
from ecgnas.spaces.model import build_model
from ecgnas.training.config import TrainConfig
from ecgnas.training.fit import train_model


def small_splits(real_beats):
    return real_beats.select(split_records("DS1")[:6]), real_beats.select(split_records("DS2")[:2])


def tiny_model(seed):
    space = load_space("ecg1d-tiny")
    torch.manual_seed(seed)
    return build_model(space.sample(seed), space, rr_features=9)


def test_fold_epochs_train_on_all_records(real_beats):
    ds1, ds2 = small_splits(real_beats)
    config = TrainConfig(epochs=2, normal_fraction=0.05, seed=0, device="cpu")
    result, test = train_on_ds1(tiny_model(0), ds1, ds2, config, "folds", folds=2)

    assert result.ok
    assert result.best_epoch in (1, 2)
    # The run on all of DS1 stops at the chosen epoch count.
    assert len(result.epochs) == result.best_epoch
    assert result.device_seconds > sum(record.seconds for record in result.epochs)
    assert test is not None
    assert math.isfinite(test.macro_f1)
    assert int(test.confusion.sum()) == len(ds2)


def test_fold_epochs_repeat_exactly(real_beats):
    ds1, ds2 = small_splits(real_beats)
    config = TrainConfig(epochs=2, normal_fraction=0.05, seed=0, device="cpu")
    first, first_test = train_on_ds1(tiny_model(0), ds1, ds2, config, "folds", folds=2)
    second, second_test = train_on_ds1(tiny_model(0), ds1, ds2, config, "folds", folds=2)
    assert first.best_epoch == second.best_epoch
    assert (first_test.confusion == second_test.confusion).all()


def test_fold_epochs_failure_names_fold(real_beats):
    ds1, ds2 = small_splits(real_beats)
    # A huge learning rate drives the loss to infinity within the first steps.
    config = TrainConfig(epochs=1, learning_rate=1e12, optimizer="sgd", normal_fraction=0.05, device="cpu")
    result, test = train_on_ds1(tiny_model(0), ds1, ds2, config, "folds", folds=2)
    assert not result.ok
    assert result.reason.startswith("fold 1 of 2:")
    assert test is None


def test_last_epoch_scores_test_once(real_beats):
    ds1, ds2 = small_splits(real_beats)
    config = TrainConfig(epochs=2, normal_fraction=0.05, seed=0, device="cpu")
    result, test = train_on_ds1(tiny_model(0), ds1, ds2, config, "last")

    assert result.ok
    assert result.epochs[0].validation is None
    assert result.epochs[1].validation is test
    assert int(test.confusion.sum()) == len(ds2)


def test_last_epoch_unchanged_by_scoring(real_beats):
    ds1, ds2 = small_splits(real_beats)
    config = TrainConfig(epochs=2, normal_fraction=0.05, seed=0, device="cpu")
    scored_once = tiny_model(0)
    train_on_ds1(scored_once, ds1, ds2, config, "last")

    # Scoring the test set after every epoch, as before, must leave the trained weights as they are.
    scored_each_epoch = tiny_model(0)
    result = train_model(scored_each_epoch, ds1, ds2, dataclasses.replace(config, validate_every_epoch=True))
    assert result.epochs[0].validation is not None
    for name, weight in scored_once.state_dict().items():
        assert torch.equal(weight, scored_each_epoch.state_dict()[name]), name


def test_average_keeps_mean_of_last_half(real_beats):
    ds1, ds2 = small_splits(real_beats)
    config = TrainConfig(epochs=4, normal_fraction=0.05, seed=0, device="cpu")
    result, test = train_on_ds1(tiny_model(0), ds1, ds2, config, "average")

    assert result.ok
    assert result.config.average_epochs == 2
    assert not result.config.restore_best
    # DS2 is scored once, on the averaged weights.
    assert [record.validation is None for record in result.epochs] == [True, True, True, False]
    assert result.epochs[-1].validation is test
