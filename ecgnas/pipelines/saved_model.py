"""Saving and loading a trained beat classifier with everything needed to use it again.

A saved model is a folder with ``weights.pt`` (a state dict, loaded with
``weights_only=True``) and ``model.json``: the architecture string, the space
declaration's text (so the model rebuilds without the repository), the
preprocessing settings, the input normalisation fitted on the training split,
the class names and the RR-feature definitions.
"""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ecgnas import __version__
from ecgnas.atomic import write_atomic
from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.data.dataset import Normalizer
from ecgnas.data.preprocess import PreprocessConfig
from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import Architecture

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.pt"


@dataclass(frozen=True)
class SavedModel:
    """A trained model and its preprocessing, as read from a folder.

    Attributes:
        model: The network in evaluation mode.
        kind: ``"searched"`` for a model built from a space, else the baseline's name.
        description: Everything in ``model.json``.
        preprocess: Preprocessing the model was trained with.
        normalizer: Input standardisation fitted on the training split.
    """

    model: nn.Module
    kind: str
    description: dict[str, Any]
    preprocess: PreprocessConfig
    normalizer: Normalizer


def save_model(
    folder: Path,
    model: nn.Module,
    kind: str,
    preprocess: PreprocessConfig,
    normalizer: Normalizer,
    fs: float,
    window: int,
    extra: dict[str, Any],
) -> Path:
    """Write ``weights.pt`` and ``model.json`` into ``folder`` atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save({key: value.detach().cpu() for key, value in model.state_dict().items()}, buffer)
    write_atomic(folder / WEIGHTS_FILE, lambda handle: handle.write(buffer.getvalue()))
    description = {
        "ecgnas_version": __version__,
        "kind": kind,
        "class_names": list(AAMI_CLASSES),
        "rr_features": list(preprocess.rr_features),
        "sampling_rate_hz": fs,
        "window_samples": window,
        "preprocess": dataclasses.asdict(preprocess),
        "normalizer": dataclasses.asdict(normalizer),
        **extra,
    }
    payload = json.dumps(description, indent=2, default=list).encode()
    write_atomic(folder / MODEL_FILE, lambda handle: handle.write(payload))
    return folder


def build_saved_architecture(description: dict[str, Any]) -> nn.Module:
    """Build the untrained network that ``description`` names."""
    kind = description["kind"]
    n_rr = len(description["rr_features"])
    n_classes = len(description["class_names"])
    if kind == "searched":
        import yaml

        from ecgnas.spaces.declaration import parse_declaration
        from ecgnas.spaces.declared_space import DeclaredSpace
        from ecgnas.spaces.model import build_model

        declaration = parse_declaration(yaml.safe_load(description["space_yaml"]), "model.json:space_yaml")
        space = DeclaredSpace(declaration)
        arch = Architecture.from_string(description["arch"])
        return build_model(arch, space, n_classes=n_classes, rr_features=n_rr)
    from ecgnas.baselines import build_baseline

    return build_baseline(kind, window=description["window_samples"], n_rr=n_rr, n_classes=n_classes)


def read_preprocess(folder: str | Path) -> PreprocessConfig:
    """Return the preprocessing of the model saved in ``folder``, without loading its weights.

    Raises:
        ConfigError: ``model.json`` is missing from the folder.
    """
    path = Path(folder) / MODEL_FILE
    if not path.is_file():
        raise ConfigError(f"{folder} is not a saved model folder: {MODEL_FILE} is missing")
    return PreprocessConfig.from_dict(json.loads(path.read_text())["preprocess"])


def load_model(folder: str | Path) -> SavedModel:
    """Read a saved model folder.

    Raises:
        ConfigError: A file is missing or does not match the described network.
    """
    folder = Path(folder)
    for name in (MODEL_FILE, WEIGHTS_FILE):
        if not (folder / name).is_file():
            raise ConfigError(f"{folder} is not a saved model folder: {name} is missing")
    description = json.loads((folder / MODEL_FILE).read_text())
    model = build_saved_architecture(description)
    state = torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise ConfigError(
            f"weights in {folder / WEIGHTS_FILE} do not fit the network in {MODEL_FILE}: {error}"
        ) from error
    model.eval()
    preprocess = PreprocessConfig.from_dict(description["preprocess"])
    normalizer = Normalizer.from_dict(description["normalizer"])
    return SavedModel(model, description["kind"], description, preprocess, normalizer)
