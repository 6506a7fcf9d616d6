"""Record folds: DS1 split into groups of whole records for cross-validated scoring.

A search that scores every candidate on the same five records picks the
architecture that fits those five patients. Scoring on out-of-fold predictions
over every DS1 record spreads the choice over 22 patients instead.

Folds never split a record, so no patient is in the training and validation
part of one fold. The rare classes are concentrated in a few records: record 208
has 372 of DS1's 414 F beats, and record 209 has 383 of its 944 S beats. So the
records are dealt out greedily to balance each class across the folds, not at
random.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.exceptions import ConfigError

if TYPE_CHECKING:
    from ecgnas.data.beatset import BeatSet

BALANCED_CLASSES: tuple[str, ...] = ("N", "S", "V", "F")
"""Classes whose beats the folds share out evenly; Q is too rare in MIT-BIH to matter."""


def is_fold_count(k: object, n_records: int) -> bool:
    """Return whether ``k`` is a valid fold count for ``n_records`` records (an integer from 2 to it)."""
    return isinstance(k, int) and not isinstance(k, bool) and 2 <= k <= n_records


def record_folds(beats: BeatSet, k: int) -> list[tuple[str, ...]]:
    """Deal the records of ``beats`` into ``k`` folds with similar class counts.

    Records go out largest share first: each record joins the fold where it
    raises the sum of squared class shares least, so that every fold contains
    about ``1/k`` of each class in :data:`BALANCED_CLASSES`. The result depends
    only on the beats, not on a seed.

    Args:
        beats: Labelled beats of the records to split.
        k: Number of folds, at least 2 and at most the number of records.

    Returns:
        ``k`` tuples of record names, each in the record order of ``beats``.

    Raises:
        ConfigError: ``k`` is out of range.
    """
    names = beats.record_names
    if not is_fold_count(k, len(names)):
        raise ConfigError(
            f"the number of record folds must be an integer from 2 to {len(names)} (the records in the "
            f"set), got {k!r}; for example 3"
        )

    # shares[r, c]: record r's part of all beats of class c (0 for an absent class).
    columns = [AAMI_CLASSES.index(name) for name in BALANCED_CLASSES]
    counts = np.zeros((len(names), len(columns)))
    for i in range(len(names)):
        counts[i] = np.bincount(beats.labels[beats.record_index == i], minlength=len(AAMI_CLASSES))[columns]
    totals = counts.sum(axis=0)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)

    # Largest records first, names breaking ties, so the deal is the same on every machine.
    order = sorted(range(len(names)), key=lambda i: (-shares[i].max(), names[i]))
    loads = np.zeros((k, len(columns)))
    members: list[list[int]] = [[] for _ in range(k)]
    for i in order:
        # The fold with fewest records wins ties, so that no fold is left empty.
        growth = ((loads + shares[i]) ** 2).sum(axis=1) - (loads**2).sum(axis=1)
        fold = min(range(k), key=lambda f: (growth[f], len(members[f]), f))
        loads[fold] += shares[i]
        members[fold].append(i)
    return [tuple(names[i] for i in sorted(fold)) for fold in members]


def fold_splits(beats: BeatSet, k: int) -> list[tuple[BeatSet, BeatSet]]:
    """Return ``k`` (train, validation) pairs: each fold of :func:`record_folds` validates once."""
    folds = record_folds(beats, k)
    splits = []
    for held_out in folds:
        rest = [name for name in beats.record_names if name not in held_out]
        splits.append((beats.select(rest), beats.select(held_out)))
    return splits
