"""Benchmark: training and inference throughput of the baselines on this CPU.

Training throughput runs :func:`ecgnas.training.train_model` for one epoch on real
search-train beats, with a 64-beat validation set so that evaluation adds little,
and divides the training beats by the run's device seconds. Inference throughput
times :func:`ecgnas.training.predict_proba` on real search-validation beats. Each
figure is the median of several runs after one warm-up run, at 1 and 2 PyTorch
threads. The figures go to the ``training-speed`` section of ``reports/benchmarks.md``.

Usage:
    python -m benchmarks.training_speed [--data-dir DIR] [--train-beats 2048] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
import torch

COMMAND = "python -m benchmarks.training_speed"
THREADS = (1, 2)


def load_beats(data_dir: str | None, n_train: int, n_predict: int):
    """Return evenly spaced search-train beats, 64 validation beats and beats to classify."""
    from ecgnas.data import SPLITS, prepare_beats
    from ecgnas.training.subsample import take_beats

    beats = prepare_beats(data_dir=data_dir, progress=False)
    train = beats.select(SPLITS["search-train"])
    validation = beats.select(SPLITS["search-validation"])
    # Every k-th beat keeps the class mix of the split without a random draw.
    train = take_beats(train, np.arange(len(train)) % (len(train) // n_train) == 0)
    train = take_beats(train, np.arange(len(train)) < n_train)
    small_validation = take_beats(validation, np.arange(len(validation)) < 64)
    predict = take_beats(validation, np.arange(len(validation)) < n_predict)
    return train, small_validation, predict


def training_rate(name: str, train, validation, threads: int, batch_size: int) -> float:
    """Train baseline ``name`` for one epoch and return training beats per second."""
    from ecgnas.baselines import build_baseline
    from ecgnas.training import TrainConfig, train_model

    config = TrainConfig(
        epochs=1, batch_size=batch_size, device="cpu", max_threads=threads, class_balance="weights"
    )
    result = train_model(lambda: build_baseline(name), train, validation, config)
    if not result.ok:
        raise RuntimeError(f"benchmark training of {name} failed: {result.reason}")
    # Device time includes the 64-beat evaluation, a few milliseconds against seconds of training.
    return result.train_beats / result.device_seconds


def inference_rate(name: str, beats, normalizer, threads: int, batch_size: int) -> float:
    """Return beats per second of :func:`predict_proba` for baseline ``name``."""
    from ecgnas.baselines import build_baseline
    from ecgnas.training import predict_proba

    model = build_baseline(name)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        start = time.perf_counter()
        predict_proba(model, beats, normalizer, batch_size=batch_size)
        seconds = time.perf_counter() - start
    finally:
        torch.set_num_threads(previous)
    return len(beats) / seconds


def measure(repeats: int, function, *args) -> tuple[float, float, float]:
    """Call ``function(*args)`` once to warm up, then ``repeats`` times; return median, min and max."""
    function(*args)
    values = [function(*args) for _ in range(repeats)]
    return statistics.median(values), min(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data directory (default: $ECGNAS_DATA_DIR, else ./data)")
    parser.add_argument(
        "--train-beats", type=int, default=2048, help="training beats per run (default: 2048)"
    )
    parser.add_argument(
        "--predict-beats", type=int, default=4096, help="beats classified per inference run (default: 4096)"
    )
    parser.add_argument("--batch-size", type=int, default=128, help="training batch size (default: 128)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per figure (default: 3)")
    args = parser.parse_args()

    from benchmarks.report import current_commit, describe_machine, write_section
    from ecgnas.baselines import BASELINES, build_baseline
    from ecgnas.data.dataset import Normalizer

    # Rare classes can be missing from a slice, and those warnings are irrelevant to speed.
    warnings.simplefilter("ignore", UserWarning)
    train, validation, predict = load_beats(args.data_dir, args.train_beats, args.predict_beats)
    normalizer = Normalizer.fit(train)
    load_before = os.getloadavg()[0]

    rows = []
    for name in sorted(BASELINES):
        parameters = sum(p.numel() for p in build_baseline(name).parameters())
        for threads in THREADS:
            train_rate = measure(
                args.repeats, training_rate, name, train, validation, threads, args.batch_size
            )
            infer_rate = measure(args.repeats, inference_rate, name, predict, normalizer, threads, 1024)
            rows.append((name, parameters, threads, train_rate, infer_rate))
            print(
                f"{name} threads={threads}: train {train_rate[0]:.0f} beats/s, "
                f"inference {infer_rate[0]:.0f} beats/s"
            )
    load_after = os.getloadavg()[0]

    def cell(figures: tuple[float, float, float]) -> str:
        median, low, high = figures
        return f"{median:,.0f} ({low:,.0f}–{high:,.0f})"

    table = [
        "| baseline | parameters | threads | training (beats/s) | inference (beats/s) |",
        "| --- | --- | --- | --- | --- |",
    ]
    table += [
        f"| {name} | {parameters:,} | {threads} | {cell(train_rate)} | {cell(infer_rate)} |"
        for name, parameters, threads, train_rate, infer_rate in rows
    ]
    body = "\n".join(
        [
            "## Training speed: baselines on the CPU",
            "",
            f"Command: `{COMMAND} --train-beats {args.train_beats} --predict-beats {args.predict_beats} "
            f"--batch-size {args.batch_size} --repeats {args.repeats}` (commit {current_commit()}, "
            f"PyTorch {torch.__version__}).",
            f"Machine: {describe_machine()}. One-minute load average {load_before:.1f} before and "
            f"{load_after:.1f} after the runs; a load above the core count means other processes "
            "shared the cores and the figures are lower than on an idle machine.",
            "",
            f"Training: one epoch of `train_model` on {len(train):,} search-train beats (every k-th "
            f"beat of the split), batch {args.batch_size}, Adam, class-weighted loss, deterministic "
            "algorithms on, plus evaluation on 64 validation beats; beats per second of the run's "
            f"device time. Inference: `predict_proba` on {len(predict):,} search-validation beats, "
            "batch 1024, float32. Each cell is the median of the timed runs with their range, after "
            "one warm-up run.",
            "",
            *table,
        ]
    )
    path = write_section("training-speed", body)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
