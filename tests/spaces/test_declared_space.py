"""Contract tests of the built-in declared spaces, and their macro accessors."""

import pytest

from ecgnas.exceptions import ConfigError
from ecgnas.spaces import Architecture, InvalidArchitectureError
from ecgnas.spaces.catalog import load_space
from tests.spaces.contract import SearchSpaceContract


class TestEcg1dContract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return load_space("ecg1d")


class TestEcg1dPooledContract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return load_space("ecg1d-pooled")


class TestNasbench101Contract(SearchSpaceContract):
    @pytest.fixture
    def space(self):
        return load_space("nasbench101")


def test_stem_width_from_choice():
    space = load_space("ecg1d")
    arch = Architecture([[0, 1], [0, 0]], ["input", "output"], {"stem_width": 24, "cells_per_stack": 2})
    assert space.stem_width(arch) == 24


def test_cells_per_stack_from_choice():
    space = load_space("ecg1d")
    arch = Architecture([[0, 1], [0, 0]], ["input", "output"], {"stem_width": 24, "cells_per_stack": 2})
    assert space.cells_per_stack(arch) == 2


def test_macro_missing_raises():
    with pytest.raises(ConfigError, match="declares no 'macro' section"):
        _ = load_space("nasbench101").macro


def test_input_pool_from_choice():
    space = load_space("ecg1d-pooled")
    arch = Architecture(
        [[0, 1], [0, 0]], ["input", "output"], {"stem_width": 8, "cells_per_stack": 1, "input_pool": 3}
    )
    assert space.input_pool(arch) == 3


def test_missing_input_pool_names_fix():
    space = load_space("ecg1d-pooled")
    older = Architecture.from_string('input,conv_k3,output;0-1,1-2;{"cells_per_stack":1,"stem_width":8}')

    with pytest.raises(InvalidArchitectureError) as raised:
        space.validate(older)
    assert "['input_pool'] are missing" in str(raised.value)
    assert 'meant "input_pool":1' in str(raised.value)
    assert space.is_valid(older.with_choices(input_pool=1))
