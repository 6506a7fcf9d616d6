"""MIT-BIH loading, beat segmentation, splits, caching and PyTorch datasets.

The exported names load their module on first use, so that importing a light
submodule such as :mod:`ecgnas.data.aami` does not import SciPy and wfdb.
"""

from typing import TYPE_CHECKING

from ecgnas.lazy import lazy_exports

if TYPE_CHECKING:
    from ecgnas.data.aami import AAMI_CLASSES
    from ecgnas.data.beatset import BeatSet
    from ecgnas.data.prepare import prepare_beats
    from ecgnas.data.preprocess import PreprocessConfig
    from ecgnas.data.splits import SPLITS, split_records

_SOURCES = {
    "AAMI_CLASSES": "ecgnas.data.aami",
    "BeatSet": "ecgnas.data.beatset",
    "PreprocessConfig": "ecgnas.data.preprocess",
    "SPLITS": "ecgnas.data.splits",
    "prepare_beats": "ecgnas.data.prepare",
    "split_records": "ecgnas.data.splits",
}

__all__ = [
    "AAMI_CLASSES",
    "BeatSet",
    "PreprocessConfig",
    "SPLITS",
    "prepare_beats",
    "split_records",
]
__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
