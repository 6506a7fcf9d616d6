"""Tests of opening benchmark modes by name."""

import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.nasbench.modes import MODES, open_benchmark


def test_mode_names():
    assert MODES == ("nasbench201", "nasbench101-20k", "nasbench101-full")


def test_unknown_mode_lists_modes():
    with pytest.raises(ConfigError, match="valid modes: \\['nasbench201', 'nasbench101-20k'"):
        open_benchmark("nasbench101")


def test_nasbench101_dataset_must_be_cifar10(data_dir, nb_cache):
    with pytest.raises(ConfigError, match="CIFAR-10 only"):
        open_benchmark("nasbench101-20k", "cifar100", data_dir, nb_cache)


def test_record_only_for_full_mode(data_dir, nb_cache):
    with pytest.raises(ConfigError, match="only in mode 'nasbench101-full'"):
        open_benchmark("nasbench201", None, data_dir, nb_cache, record="x.tfrecord")


def test_open_nasbench201_dataset(data_dir, nb_cache, nb201):
    benchmark = open_benchmark("nasbench201", "cifar100", data_dir, nb_cache)
    resnet = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
    assert benchmark.query_string(resnet).benchmark == "nasbench201/cifar100"


def test_open_subset_mode(data_dir, nb_cache, nb101_20k):
    benchmark = open_benchmark("nasbench101-20k", None, data_dir, nb_cache)
    assert benchmark.space.name == "nasbench101-20k"
    assert benchmark.epochs == (108, 36, 12, 4)
