"""A set of labelled beats from several records, as parallel arrays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.beats import RecordBeats
from ecgnas.exceptions import ConfigError


@dataclass
class BeatSet:
    """Beats of several records, concatenated in record order.

    Attributes:
        fs: Sampling rate of the waveforms in Hz.
        waveforms: Shape ``(n_beats, window)``, float32, millivolts.
        rr: RR features, shape ``(n_beats, n_rr)``, float32; :func:`~ecgnas.data.prepare.prepare_beats`
            keeps the columns that its configuration names.
        labels: AAMI label indices, shape ``(n_beats,)``, int64.
        positions: R-peak sample in its record, shape ``(n_beats,)``, int64.
        record_names: Names of the records, in order.
        record_index: Index into ``record_names`` of each beat, shape ``(n_beats,)``.
        dropped: Beats dropped at the record's edges, per record, shape ``(5,)`` each.
        unknown_symbols: Unknown annotation symbols and their counts, per record.
        non_beats: Non-beat annotations skipped, per record.
        cached_records: Records read from the cache during preparation.
        built_records: Records read from their WFDB files during preparation.
    """

    fs: float
    waveforms: np.ndarray
    rr: np.ndarray
    labels: np.ndarray
    positions: np.ndarray
    record_names: tuple[str, ...]
    record_index: np.ndarray
    dropped: dict[str, np.ndarray]
    unknown_symbols: dict[str, dict[str, int]]
    non_beats: dict[str, int]
    cached_records: tuple[str, ...] = field(default=())
    built_records: tuple[str, ...] = field(default=())

    @classmethod
    def from_records(cls, beats: Sequence[RecordBeats]) -> BeatSet:
        """Concatenate the beats of several records."""
        if not beats:
            raise ConfigError("cannot build a BeatSet from zero records; pass at least one record")
        rates = {record.fs for record in beats}
        if len(rates) != 1:
            raise ConfigError(
                f"records have different sampling rates {sorted(rates)}; set target_fs in "
                "PreprocessConfig so that all records are resampled to one rate"
            )
        return cls(
            fs=rates.pop(),
            waveforms=np.concatenate([record.waveforms for record in beats]),
            rr=np.concatenate([record.rr for record in beats]),
            labels=np.concatenate([record.labels for record in beats]),
            positions=np.concatenate([record.positions for record in beats]),
            record_names=tuple(record.record for record in beats),
            record_index=np.concatenate(
                [np.full(len(record.labels), i, dtype=np.int64) for i, record in enumerate(beats)]
            ),
            dropped={record.record: record.dropped for record in beats},
            unknown_symbols={record.record: record.unknown_symbols for record in beats},
            non_beats={record.record: record.non_beats for record in beats},
        )

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def window(self) -> int:
        """Number of samples per beat window."""
        return int(self.waveforms.shape[1])

    def select(self, records: Iterable[str]) -> BeatSet:
        """Return the beats of the given records, in the order of this set.

        Raises:
            ConfigError: A record is not in this set.
        """
        wanted = [str(record) for record in records]
        missing = [record for record in wanted if record not in self.record_names]
        if missing:
            raise ConfigError(
                f"records {missing} are not in this beat set, which contains {list(self.record_names)}; "
                "prepare them first"
            )
        names = tuple(name for name in self.record_names if name in set(wanted))
        indices = [self.record_names.index(name) for name in names]
        mask = np.isin(self.record_index, indices)
        remap = np.full(len(self.record_names), -1, dtype=np.int64)
        remap[indices] = np.arange(len(indices))
        return BeatSet(
            fs=self.fs,
            waveforms=self.waveforms[mask],
            rr=self.rr[mask],
            labels=self.labels[mask],
            positions=self.positions[mask],
            record_names=names,
            record_index=remap[self.record_index[mask]],
            dropped={name: self.dropped[name] for name in names},
            unknown_symbols={name: self.unknown_symbols[name] for name in names},
            non_beats={name: self.non_beats[name] for name in names},
        )

    def class_counts(self) -> np.ndarray:
        """Return the number of beats of each AAMI class, shape ``(5,)``."""
        return np.bincount(self.labels, minlength=len(AAMI_CLASSES))

    def dropped_counts(self) -> np.ndarray:
        """Return the number of beats dropped at record edges per AAMI class, shape ``(5,)``."""
        if not self.dropped:
            return np.zeros(len(AAMI_CLASSES), dtype=np.int64)
        return np.sum(list(self.dropped.values()), axis=0)
