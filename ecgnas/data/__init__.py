"""MIT-BIH loading, beat segmentation, splits, caching and PyTorch datasets."""

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.beatset import BeatSet
from ecgnas.data.prepare import prepare_beats
from ecgnas.data.preprocess import PreprocessConfig
from ecgnas.data.splits import SPLITS, split_records

__all__ = [
    "AAMI_CLASSES",
    "BeatSet",
    "PreprocessConfig",
    "SPLITS",
    "prepare_beats",
    "split_records",
]
