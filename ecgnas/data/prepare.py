"""Turning MIT-BIH records into a cached :class:`~ecgnas.data.beatset.BeatSet`."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from tqdm import tqdm

from ecgnas.data.beats import segment_record
from ecgnas.data.beatset import BeatSet
from ecgnas.data.cache import cache_path, load_beats, save_beats, source_digest
from ecgnas.data.download import ensure_mitdb
from ecgnas.data.locate import resolve_cache_dir
from ecgnas.data.preprocess import PreprocessConfig
from ecgnas.data.records import read_record
from ecgnas.data.rr import select_rr_features
from ecgnas.data.splits import SPLITS
from ecgnas.exceptions import RecordError
from ecgnas.progress import bar_disable

logger = logging.getLogger(__name__)

DEFAULT_RECORDS: tuple[str, ...] = SPLITS["DS1"] + SPLITS["DS2"]
"""Records prepared by default: the 44 records of the inter-patient protocol."""


def prepare_beats(
    records: Iterable[str] | None = None,
    config: PreprocessConfig | None = None,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    download: bool = True,
    use_cache: bool = True,
    progress: bool = True,
) -> BeatSet:
    """Read, preprocess and segment MIT-BIH records, using the beat cache when it is valid.

    Args:
        records: Record names; defaults to DS1 and DS2 (the paced records are excluded).
        config: Preprocessing settings; defaults to :class:`PreprocessConfig`.
        data_dir: Data directory whose ``mitdb/`` folder contains the records.
        cache_dir: Cache directory; see :func:`ecgnas.data.locate.resolve_cache_dir`.
        download: Whether to download the database when the folder contains no records.
        use_cache: Whether to read valid cache files; new results are written either way.
        progress: Whether to show a progress bar.

    Returns:
        The beats of all requested records, in the order given, with the RR features
        that ``config.rr_features`` names.

    Raises:
        DataNotFoundError: The folder contains no records and ``download`` is false.
        RecordError: A record is missing, truncated or unreadable.
    """
    config = config or PreprocessConfig()
    names = [str(name) for name in (records if records is not None else DEFAULT_RECORDS)]
    folder = ensure_mitdb(data_dir, download=download)
    cache_root = resolve_cache_dir(cache_dir)
    fingerprint = config.fingerprint()

    per_record = []
    cached, built = [], []
    for name in tqdm(
        names, desc="Preparing beats", unit="record", disable=bar_disable(progress), leave=False
    ):
        if not (folder / f"{name}.hea").is_file():
            raise RecordError(
                f"record {name} not found in {folder}: {name}.hea is missing; "
                "check the record name or download the database again"
            )
        path = cache_path(cache_root, fingerprint, name)
        digest = (
            source_digest(folder, name)
            if all((folder / f"{name}{suffix}").is_file() for suffix in (".hea", ".dat", ".atr"))
            else ""
        )
        beats = load_beats(path, digest, fingerprint) if use_cache and digest else None
        if beats is None:
            beats = segment_record(read_record(folder, name, config.leads), config)
            save_beats(path, beats, digest, fingerprint)
            built.append(name)
        else:
            cached.append(name)
        per_record.append(beats)

    logger.info(
        "Prepared %d records (%d from cache, %d built) from %s",
        len(names),
        len(cached),
        len(built),
        folder,
    )
    beat_set = BeatSet.from_records(per_record)
    # The cache contains every RR feature, and the beat set keeps the configured ones.
    beat_set.rr = select_rr_features(beat_set.rr, config.rr_features)
    beat_set.cached_records = tuple(cached)
    beat_set.built_records = tuple(built)
    return beat_set
