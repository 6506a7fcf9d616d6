"""Exporting a trained model for deployment: TorchScript, ONNX and a JSON description.

The export folder is self-contained: ``model.ts`` (TorchScript), ``model.onnx``
(ONNX, dynamic batch) and ``ecgnas-model.json``, which records everything needed to
turn a raw ECG record into model inputs: lead, sampling rate, filters, window, RR
feature definitions and normalisation, and the class names. Before it writes the
description, the export checks that PyTorch, TorchScript and ONNX Runtime give the
same logits on real beats.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ecgnas import __version__
from ecgnas.atomic import write_atomic
from ecgnas.data.beats import PREMATURE_RATIO
from ecgnas.data.beatset import BeatSet
from ecgnas.data.rr import RR_DEFINITIONS, RR_INTERVALS
from ecgnas.exceptions import ConfigError, EcgnasError
from ecgnas.pipelines.run_dir import RunDirectory
from ecgnas.pipelines.saved_model import SavedModel, load_model

logger = logging.getLogger(__name__)

DESCRIPTION_FILE = "ecgnas-model.json"
TORCHSCRIPT_FILE = "model.ts"
ONNX_FILE = "model.onnx"
PARITY_TOLERANCE = 1e-4


class ExportParityError(EcgnasError):
    """PyTorch, TorchScript and ONNX Runtime disagree on the same inputs."""


def check_parity(
    saved: SavedModel, script: torch.jit.ScriptModule, onnx_path: Path, beats: BeatSet
) -> dict[str, float]:
    """Compare the logits of the three runtimes on ``beats``; return the max absolute differences.

    Raises:
        ExportParityError: A difference exceeds :data:`PARITY_TOLERANCE`.
    """
    import onnxruntime

    waveforms = torch.from_numpy(saved.normalizer.waveforms(beats.waveforms)).unsqueeze(1)
    rr = torch.from_numpy(saved.normalizer.rr(beats.rr))
    with torch.no_grad():
        reference = saved.model(waveforms, rr).numpy()
        scripted = script(waveforms, rr).numpy()
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    exported = session.run(["logits"], {"waveform": waveforms.numpy(), "rr": rr.numpy()})[0]
    differences = {
        "torchscript_max_abs_diff": float(np.abs(reference - scripted).max()),
        "onnx_max_abs_diff": float(np.abs(reference - exported).max()),
        "beats": len(beats),
    }
    worst = max(differences["torchscript_max_abs_diff"], differences["onnx_max_abs_diff"])
    if not worst <= PARITY_TOLERANCE:
        raise ExportParityError(
            f"exported models disagree with PyTorch on {len(beats)} real beats: TorchScript max |diff| "
            f"{differences['torchscript_max_abs_diff']:.2e}, ONNX Runtime "
            f"{differences['onnx_max_abs_diff']:.2e} (tolerance {PARITY_TOLERANCE:g}); the export was not "
            "written. Report this with the model folder"
        )
    return differences


def check_exportable(run_dir: str | Path) -> tuple[RunDirectory, dict[str, Any]]:
    """Return the run directory ``run_dir`` and its state if it contains a trained model to export.

    Raises:
        ConfigError: The directory is missing, is not a run, or has no model yet.
    """
    directory = RunDirectory(run_dir)
    state = directory.read()
    if not (directory.model_dir / "model.json").is_file():
        raise ConfigError(
            f"run {directory.path} has no trained model yet (status {state.get('status', 'unknown')!r}); "
            f"{directory.finish_hint(state)}"
        )
    return directory, state


def export_run(run_dir: str | Path, out_dir: str | Path | None, parity_beats: BeatSet) -> Path:
    """Export the model of a finished run into ``out_dir`` (default ``RUN_DIR/export``).

    Args:
        run_dir: A finished search or baseline run.
        out_dir: Folder to write.
        parity_beats: Real beats, at the model's rate and window, for the parity check.

    Raises:
        ConfigError: The run is unfinished or has no model.
        ExportParityError: The runtimes disagree.
    """
    directory, state = check_exportable(run_dir)
    saved = load_model(directory.model_dir)
    description = saved.description
    if (
        parity_beats.window != description["window_samples"]
        or parity_beats.fs != description["sampling_rate_hz"]
    ):
        raise ConfigError(
            f"parity beats have {parity_beats.window} samples at {parity_beats.fs} Hz but the model expects "
            f"{description['window_samples']} at {description['sampling_rate_hz']} Hz"
        )
    out = Path(out_dir) if out_dir is not None else directory.path / "export"
    out.mkdir(parents=True, exist_ok=True)

    script = torch.jit.script(saved.model)
    script_path = out / TORCHSCRIPT_FILE
    script.save(str(script_path))

    onnx_path = out / ONNX_FILE
    n_rr = len(description["rr_features"])
    example = (torch.zeros(2, 1, description["window_samples"]), torch.zeros(2, n_rr))
    torch.onnx.export(
        saved.model,
        example,
        str(onnx_path),
        input_names=["waveform", "rr"],
        output_names=["logits"],
        dynamic_axes={"waveform": {0: "batch"}, "rr": {0: "batch"}, "logits": {0: "batch"}},
        dynamo=False,
    )
    parity = check_parity(saved, script, onnx_path, parity_beats)
    logger.info(
        "Parity on %d real beats: TorchScript %.2e, ONNX %.2e",
        parity["beats"],
        parity["torchscript_max_abs_diff"],
        parity["onnx_max_abs_diff"],
    )

    exported = export_description(description, parity, str(directory.path))
    payload = json.dumps(exported, indent=2).encode()
    write_atomic(out / DESCRIPTION_FILE, lambda handle: handle.write(payload))
    _log_to_mlflow(state, out)
    return out


def export_description(description: dict[str, Any], parity: dict[str, float], source: str) -> dict[str, Any]:
    """Build the JSON description of an export from the saved model's description."""
    preprocess = description["preprocess"]
    return {
        "format": "ecgnas-export/1",
        "ecgnas_version": __version__,
        "source_run": source,
        "model_kind": description["kind"],
        "architecture": description.get("arch"),
        "files": {"torchscript": TORCHSCRIPT_FILE, "onnx": ONNX_FILE},
        "inputs": {
            "waveform": {
                "shape": ["batch", 1, description["window_samples"]],
                "dtype": "float32",
                "normalisation": "(x - waveform_mean) / waveform_std",
            },
            "rr": {
                "shape": ["batch", len(description["rr_features"])],
                "dtype": "float32",
                "normalisation": "(x - rr_mean) / rr_std, per column",
            },
        },
        "outputs": {
            "logits": {
                "shape": ["batch", len(description["class_names"])],
                "note": "softmax gives class probabilities",
            }
        },
        "class_names": description["class_names"],
        "lead": preprocess["leads"][0],
        "lead_preferences": preprocess["leads"],
        "sampling_rate_hz": description["sampling_rate_hz"],
        "window": {
            "before_s": preprocess["window_before_s"],
            "after_s": preprocess["window_after_s"],
            "samples": description["window_samples"],
            "record_median_subtracted": preprocess.get("subtract_record_median", False),
            "record_median": (
                "before normalisation, subtract from every window the sample-wise median of the "
                "windows of the same record whose rr_previous_local_ratio is at least "
                f"{PREMATURE_RATIO} (of all its windows when none is)"
            ),
        },
        "filters": {
            "baseline_median_windows_ms": preprocess["baseline_windows_ms"],
            "band_hz": preprocess["band_hz"],
            "butterworth_order": preprocess["filter_order"],
            "zero_phase": True,
        },
        "preprocess": preprocess,
        "rr_features": [
            {"name": name, "definition": RR_DEFINITIONS.get(name, "")} for name in description["rr_features"]
        ],
        # The ratios and the record median are defined through these intervals, which a
        # model given only ratios does not list among its features.
        "rr_intervals": [{"name": name, "definition": RR_DEFINITIONS[name]} for name in RR_INTERVALS],
        "normalizer": description["normalizer"],
        "parity": parity,
        "test_metrics_ds2": description.get("test_metrics_ds2", {}),
    }


def _log_to_mlflow(state: dict[str, Any], folder: Path) -> None:
    """Attach the export to the run's MLflow parent run, when the run has one."""
    run_id, uri = state.get("mlflow_parent_run_id"), state.get("tracking_uri")
    if not run_id or not uri:
        return
    from mlflow import MlflowClient

    MlflowClient(tracking_uri=uri).log_artifacts(run_id, str(folder), artifact_path="export")
    logger.info("Logged the export to MLflow run %s", run_id)
