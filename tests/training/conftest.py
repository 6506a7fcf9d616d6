"""Small subsets of the real search-train and search-validation beats, so that training tests stay fast."""

import numpy as np
import pytest

from ecgnas.data.splits import SPLITS
from ecgnas.training.subsample import take_beats


def stratified_subset(beats, per_class: int, seed: int):
    """Return at most ``per_class`` beats of every class, drawn without replacement, in beat order."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(beats), dtype=bool)
    for label in np.unique(beats.labels):
        members = np.flatnonzero(beats.labels == label)
        mask[rng.choice(members, size=min(per_class, members.size), replace=False)] = True
    return take_beats(beats, mask)


@pytest.fixture(scope="session")
def search_train(real_beats):
    return real_beats.select(SPLITS["search-train"])


@pytest.fixture(scope="session")
def search_validation(real_beats):
    return real_beats.select(SPLITS["search-validation"])


@pytest.fixture(scope="session")
def tiny_train(search_train):
    """At most 120 beats of each class from search-train (every Q beat it has)."""
    return stratified_subset(search_train, per_class=120, seed=0)


@pytest.fixture(scope="session")
def tiny_validation(search_validation):
    """At most 150 beats of each class from search-validation."""
    return stratified_subset(search_validation, per_class=150, seed=1)
