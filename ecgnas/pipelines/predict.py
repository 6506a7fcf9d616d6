"""Classifying every beat of a WFDB record with an exported model folder.

Only the export folder is needed: its JSON description gives the lead, rate,
filters, window, RR features and normalisation, and the model runs in
TorchScript (default) or ONNX Runtime. Beat positions come from the record's
reference annotations when it has them, otherwise from wfdb's XQRS detector.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgnas.data.aami import NON_BEAT_SYMBOLS, symbol_label
from ecgnas.data.beats import cut_windows
from ecgnas.data.dataset import Normalizer
from ecgnas.data.preprocess import PreprocessConfig, preprocess_signal
from ecgnas.data.records import read_record
from ecgnas.data.rr import select_rr_features
from ecgnas.exceptions import ConfigError, RecordError
from ecgnas.pipelines.export import DESCRIPTION_FILE

logger = logging.getLogger(__name__)

# WFDB beat symbols written for each predicted AAMI class: the most common symbol of the class.
CLASS_SYMBOLS = {"N": "N", "S": "A", "V": "V", "F": "F", "Q": "Q"}
ANNOTATOR = "ecgnas"


@dataclass(frozen=True)
class Prediction:
    """The classified beats of one record.

    Attributes:
        record: Record name.
        samples: R-peak sample of each classified beat, at the record's own rate.
        classes: Predicted class name of each beat.
        probabilities: Class probabilities, shape ``(n_beats, n_classes)``.
        reference: Reference AAMI class of each beat from the annotations, or ``None``.
        source: ``"annotations"`` or ``"xqrs"``: where the beat positions came from.
        dropped: Beats too close to the record's edges for a full window.
    """

    record: str
    samples: np.ndarray
    classes: list[str]
    probabilities: np.ndarray
    reference: list[str | None] | None
    source: str
    dropped: int


def load_description(export_dir: Path) -> dict:
    path = Path(export_dir) / DESCRIPTION_FILE
    if not Path(export_dir).is_dir():
        raise ConfigError(f"export folder {export_dir} not found; check the path given to --model")
    if not path.is_file():
        raise ConfigError(
            f"{export_dir} is not an ecgnas export: {DESCRIPTION_FILE} is missing; run `ecgnas export`"
        )
    return json.loads(path.read_text())


def _run_model(
    export_dir: Path, description: dict, waveforms: np.ndarray, rr: np.ndarray, runtime: str
) -> np.ndarray:
    if runtime == "torchscript":
        import torch

        model = torch.jit.load(str(export_dir / description["files"]["torchscript"]), map_location="cpu")
        model.eval()
        with torch.no_grad():
            logits = model(torch.from_numpy(waveforms).unsqueeze(1), torch.from_numpy(rr)).numpy()
    elif runtime == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(
            str(export_dir / description["files"]["onnx"]), providers=["CPUExecutionProvider"]
        )
        logits = session.run(["logits"], {"waveform": waveforms[:, None, :], "rr": rr})[0]
    else:
        raise ConfigError(f"runtime {runtime!r} is unknown; allowed values: ['torchscript', 'onnx']")
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def detect_peaks(signal: np.ndarray, fs: float) -> np.ndarray:
    """Detect R peaks with wfdb's XQRS detector; return their samples."""
    import contextlib
    import io

    from wfdb import processing

    with contextlib.redirect_stdout(io.StringIO()):
        peaks = processing.xqrs_detect(sig=signal, fs=fs, verbose=False)
    return np.asarray(peaks, dtype=np.int64)


def predict_record(
    export_dir: str | Path, record_path: str | Path, runtime: str = "torchscript"
) -> Prediction:
    """Classify every beat of the record at ``record_path`` (a path without extension).

    Raises:
        ConfigError: The export folder is invalid.
        RecordError: The record is missing, unreadable or lacks the model's lead.
    """
    export_dir = Path(export_dir)
    description = load_description(export_dir)
    config = PreprocessConfig.from_dict(description["preprocess"])
    record_path = Path(record_path)
    folder, name = record_path.parent, record_path.name
    if not (folder / f"{name}.hea").is_file():
        raise RecordError(
            f"record {name}: header {folder / name}.hea not found; check the path, which names the record "
            "without an extension (for example data/mitdb/100); a bare record name is looked up in "
            "DATA_DIR/mitdb, with DATA_DIR from --data-dir, else $ECGNAS_DATA_DIR, else ./data"
        )
    has_annotations = (folder / f"{name}.atr").is_file()

    if has_annotations:
        raw = read_record(folder, name, config.leads)
        is_beat = np.array([s not in NON_BEAT_SYMBOLS for s in raw.annotation_symbols], dtype=bool)
        peaks_raw = raw.annotation_samples[is_beat]
        symbols = [s for s, beat in zip(raw.annotation_symbols, is_beat, strict=True) if beat]
        source = "annotations"
    else:
        raw = _read_unannotated(folder, name, config.leads)
        peaks_raw = detect_peaks(raw.signal, raw.fs)
        symbols = None
        source = "xqrs"

    signal, fs = preprocess_signal(raw.signal, raw.fs, config)
    if abs(fs - description["sampling_rate_hz"]) > 1e-6:
        raise ConfigError(
            f"preprocessing gave {fs} Hz but the model expects {description['sampling_rate_hz']} Hz"
        )
    inside = peaks_raw < raw.signal.shape[0]
    peaks_raw = peaks_raw[inside]
    peaks = np.round(peaks_raw * fs / raw.fs).astype(np.int64)
    waveforms, rr, kept = cut_windows(signal, fs, peaks, config)
    rr = select_rr_features(rr, [feature["name"] for feature in description["rr_features"]])

    normalizer = Normalizer.from_dict(description["normalizer"])
    probabilities = _run_model(
        export_dir, description, normalizer.waveforms(waveforms), normalizer.rr(rr), runtime
    )
    names = description["class_names"]
    classes = [names[i] for i in probabilities.argmax(axis=1)]

    reference = None
    if symbols is not None:
        kept_symbols = [s for s, ok in zip(np.array(symbols, dtype=object)[inside], kept, strict=True) if ok]
        reference = [None if symbol_label(s) is None else names[symbol_label(s)] for s in kept_symbols]
    return Prediction(
        name,
        peaks_raw[kept],
        classes,
        probabilities,
        reference,
        source,
        int((~kept).sum()) + int((~inside).sum()),
    )


def _read_unannotated(folder: Path, name: str, leads: tuple[str, ...]):
    """Read a record without an annotation file (``read_record`` requires one)."""
    import wfdb

    from ecgnas.data.records import RawRecord, select_lead

    try:
        header = wfdb.rdheader(str(folder / name))
        channel = select_lead(header, name, leads)
        record = wfdb.rdrecord(str(folder / name), channels=[channel])
    except RecordError:
        raise
    except Exception as error:
        raise RecordError(f"record {name}: cannot be read from {folder} ({error})") from error
    return RawRecord(
        name,
        header.sig_name[channel],
        float(header.fs),
        record.p_signal[:, 0].astype(np.float64),
        np.zeros(0, dtype=np.int64),
        (),
    )


def write_outputs(prediction: Prediction, fs: float, out_dir: Path) -> tuple[Path, Path]:
    """Write the CSV of beats and a WFDB annotation file; return both paths."""
    import wfdb

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / f"{prediction.record}-beats.csv"
    class_names = list(CLASS_SYMBOLS)
    with open(csv_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        header = ["sample", "time_s", "class"] + [f"p_{name}" for name in class_names]
        if prediction.reference is not None:
            header.append("reference")
        writer.writerow(header)
        for index, sample in enumerate(prediction.samples):
            row = [int(sample), f"{sample / fs:.4f}", prediction.classes[index]]
            row += [f"{p:.5f}" for p in prediction.probabilities[index]]
            if prediction.reference is not None:
                row.append(prediction.reference[index] or "")
            writer.writerow(row)
    symbols = [CLASS_SYMBOLS[name] for name in prediction.classes]
    wfdb.wrann(prediction.record, ANNOTATOR, prediction.samples, symbol=symbols, write_dir=str(out_dir))
    return csv_path, out_dir / f"{prediction.record}.{ANNOTATOR}"


def summarise(prediction: Prediction) -> str:
    """Return a per-class table of predicted beats, with agreement when a reference exists."""
    counts = Counter(prediction.classes)
    lines = [
        f"Record {prediction.record}: {len(prediction.classes)} beats ({prediction.source}), "
        f"{prediction.dropped} dropped at the edges",
        f"{'class':<6} {'predicted':>10} {'reference':>10}",
    ]
    reference = Counter(r for r in prediction.reference or [] if r is not None)
    for name in CLASS_SYMBOLS:
        ref = f"{reference[name]:>10,}" if prediction.reference is not None else f"{'-':>10}"
        lines.append(f"{name:<6} {counts[name]:>10,} {ref}")
    if prediction.reference is not None:
        pairs = [
            (p, r) for p, r in zip(prediction.classes, prediction.reference, strict=True) if r is not None
        ]
        agreement = sum(p == r for p, r in pairs) / len(pairs) if pairs else float("nan")
        lines.append(f"Agreement with the reference annotations: {agreement:.4f} over {len(pairs):,} beats")
    return "\n".join(lines)
