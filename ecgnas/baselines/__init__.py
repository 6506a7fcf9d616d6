"""Hand-designed beat classifiers that searched architectures are compared with.

Every baseline has ``forward(waveform (B, 1, L), rr (B, n_rr)) -> logits (B, n_classes)``,
the signature that :func:`ecgnas.training.train_model` expects, and contains no
data-dependent control flow, so it scripts with TorchScript and exports to ONNX.

The exported names load their module on first use, so that the command line can
list :data:`BASELINE_NAMES` without importing PyTorch.
"""

from typing import TYPE_CHECKING

from ecgnas.lazy import lazy_exports

if TYPE_CHECKING:
    from ecgnas.baselines.acharya import AcharyaCNN
    from ecgnas.baselines.kachuee import KachueeResNet
    from ecgnas.baselines.registry import BASELINES, build_baseline

BASELINE_NAMES = ("acharya2017", "kachuee2018")
"""Names of the baselines, the keys of :data:`BASELINES` in sorted order."""

_SOURCES = {
    "AcharyaCNN": "ecgnas.baselines.acharya",
    "BASELINES": "ecgnas.baselines.registry",
    "KachueeResNet": "ecgnas.baselines.kachuee",
    "build_baseline": "ecgnas.baselines.registry",
}

__all__ = [
    "AcharyaCNN",
    "BASELINES",
    "BASELINE_NAMES",
    "KachueeResNet",
    "build_baseline",
]
__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)
