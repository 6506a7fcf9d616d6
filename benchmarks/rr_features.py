"""How much the RR features tell a linear classifier, on the inter-patient split.

A class-balanced logistic regression is trained on DS1 and tested on DS2 with
six inputs. They are the seven record-level RR features alone, all nine RR
features (with the two local ratios), each of these with the beat waveform
downsampled 6 times (42 samples), and all nine, then the five ratios alone
(``--rr-features relative``), with the waveform minus its record's median
beat (the default preprocessing). The per-class F1 goes to the
``rr-features`` section of ``reports/benchmarks.md``. It is a cheap check of
the features, not a model.

Usage:
    python -m benchmarks.rr_features [--data-dir DIR] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import os

import numpy as np

COMMAND = "python -m benchmarks.rr_features"

# The first seven RR features existed before the two local ratios were added.
RECORD_LEVEL = slice(0, 7)
# The ratios, without the intervals in seconds: the input of --rr-features relative.
RATIOS = slice(4, 9)
DOWNSAMPLE = 6
# Record 232 contains 1,382 of the 1,837 S beats of DS2. Label 1 is S.
S_RECORD = "232"
S_LABEL = 1


def features(beats, rr_columns: slice, waveform: bool) -> np.ndarray:
    """Stack the chosen RR columns and, optionally, the downsampled waveform."""
    parts = [beats.rr[:, rr_columns]]
    if waveform:
        parts.append(beats.waveforms[:, ::DOWNSAMPLE])
    return np.hstack(parts).astype(np.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("ECGNAS_DATA_DIR", "data"))
    parser.add_argument("--cache-dir", default=os.environ.get("ECGNAS_CACHE_DIR"))
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    from benchmarks.report import current_commit, describe_machine, write_section
    from ecgnas.data.preprocess import PreprocessConfig
    from ecgnas.data.rr import RR_FEATURES
    from ecgnas.data.splits import split_records
    from ecgnas.pipelines.ecg_search import load_search_beats

    # Every RR column is loaded; each case picks its own.
    plain, _ = load_search_beats(
        args.data_dir,
        args.cache_dir,
        False,
        PreprocessConfig(subtract_record_median=False, rr_features=RR_FEATURES),
    )
    relative, _ = load_search_beats(
        args.data_dir, args.cache_dir, False, PreprocessConfig(rr_features=RR_FEATURES)
    )
    cases = [
        ("record-level RR (7)", plain, RECORD_LEVEL, False),
        ("all RR (9)", plain, slice(None), False),
        ("record-level RR (7) + waveform", plain, RECORD_LEVEL, True),
        ("all RR (9) + waveform", plain, slice(None), True),
        ("all RR (9) + waveform minus record median", relative, slice(None), True),
        ("RR ratios (5) + waveform minus record median", relative, RATIOS, True),
    ]
    lines = [
        "## RR features: a linear check on DS1 to DS2",
        "",
        f"Command: `{COMMAND}` (commit {current_commit()}).",
        f"Machine: {describe_machine()}.",
        "",
        "Logistic regression with class-balanced weights, trained on every DS1 beat and tested on DS2; "
        "inputs standardised with DS1 statistics. F1 in percent; macro over N, S, V, F. "
        f"Record {S_RECORD} contains most of DS2's S beats, so its S sensitivity is shown separately.",
        "",
        f"| inputs | F1 N | F1 S | F1 V | F1 F | macro-F1 | S sensitivity, record {S_RECORD} |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, beats, columns, waveform in cases:
        ds1, ds2 = beats.select(split_records("DS1")), beats.select(split_records("DS2"))
        train, test = features(ds1, columns, waveform), features(ds2, columns, waveform)
        mean, scale = train.mean(axis=0), train.std(axis=0) + 1e-9
        model = LogisticRegression(max_iter=3000, class_weight="balanced")
        model.fit((train - mean) / scale, ds1.labels)
        predicted = model.predict((test - mean) / scale)
        f1 = 100 * f1_score(ds2.labels, predicted, labels=[0, 1, 2, 3], average=None)
        in_record = ds2.record_index == ds2.record_names.index(S_RECORD)
        record_s = in_record & (ds2.labels == S_LABEL)
        sensitivity = 100 * float((predicted[record_s] == S_LABEL).mean())
        cells = [f"{value:.1f}" for value in [*f1, f1.mean(), sensitivity]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)

    path = write_section("rr-features", "\n".join(lines))
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
