"""Effect of the beat window's resolution on the hand-designed networks, tested on DS2.

Each baseline is trained behind an average pool of the beat window, by the
factors that ``searchspaces/ecg1d-pooled.yaml`` offers as ``input_pool``, under the
quick preset's final training and protocol (the seeds of ``ecgnas baseline
NAME --preset quick``). Factor 1 is the baseline as ``ecgnas baseline``
trains it. The mean and standard deviation over seeds of the DS2 F1 go to the
``input-pool-NAME`` sections of ``reports/benchmarks.md``. The table measures how
much of a searched model's lead comes from the coarser input alone.

Usage:
    python -m benchmarks.input_pool [--models acharya2017,kachuee2018] [--factors 1,2,3,6]
        [--seeds 3] [--threads 1] [--data-dir DIR] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os

import numpy as np
import torch
from torch import nn

COMMAND = "python -m benchmarks.input_pool"


class InputPooled(nn.Module):
    """A beat classifier whose waveform is averaged over blocks of ``factor`` samples first."""

    def __init__(self, inner: nn.Module, factor: int) -> None:
        super().__init__()
        self.pool = nn.AvgPool1d(factor, stride=factor)
        self.inner = inner

    def forward(self, waveform: torch.Tensor, rr: torch.Tensor) -> torch.Tensor:
        return self.inner(self.pool(waveform), rr)


def build(name: str, factor: int, window: int, n_rr: int) -> nn.Module:
    """Build baseline ``name`` for a window pooled by ``factor``. Factor 1 adds no layer."""
    from ecgnas.baselines import build_baseline

    if factor == 1:
        return build_baseline(name, window=window, n_rr=n_rr)
    return InputPooled(build_baseline(name, window=window // factor, n_rr=n_rr), factor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="acharya2017,kachuee2018")
    parser.add_argument("--factors", default="1,2,3,6")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-dir", default=os.environ.get("ECGNAS_DATA_DIR", "data"))
    parser.add_argument("--cache-dir", default=os.environ.get("ECGNAS_CACHE_DIR"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from benchmarks.report import current_commit, describe_machine, write_section
    from ecgnas.data.splits import split_records
    from ecgnas.exceptions import ConfigError
    from ecgnas.pipelines.ecg_config import preset
    from ecgnas.pipelines.ecg_search import load_search_beats
    from ecgnas.pipelines.final_training import train_on_ds1

    config = preset("quick")
    beats, _ = load_search_beats(args.data_dir, args.cache_dir, False, config.preprocess)
    ds1, ds2 = beats.select(split_records("DS1")), beats.select(split_records("DS2"))
    n_rr = beats.rr.shape[1]
    models = [name.strip() for name in args.models.split(",")]
    factors = [int(value) for value in args.factors.split(",")]

    for name in models:
        lines = [
            f"## Input pooling of {name}",
            "",
            f"Command: `{COMMAND} --models {name} --factors {','.join(map(str, factors))} "
            f"--seeds {args.seeds}` (commit {current_commit()}).",
            f"Machine: {describe_machine()}.",
            "",
            f"The network sees its {ds1.window}-sample beat window averaged over blocks of `factor` "
            "samples; factor 1 is the network without a pool, as `ecgnas baseline` trains it. "
            "Training: the quick preset's final "
            f"training ({config.final_training.epochs} epochs, {config.final_epochs} protocol), seeds 0 "
            f"to {args.seeds - 1}. DS2 F1 in percent, mean ± standard deviation over seeds; macro "
            "over N, S, V, F.",
            "",
            "| factor | sampling rate seen (Hz) | macro-F1 | F1 S | F1 V | F1 F |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for factor in factors:
            try:
                build(name, factor, ds1.window, n_rr)
            except ConfigError as error:
                # Kachuee's network pools five times, so it cannot be built for a short window.
                lines.append(f"| {factor} | {ds1.fs / factor:g} | not built: {error} | | | |")
                print(name, lines[-1], flush=True)
                continue

            scores = []
            for seed in range(args.seeds):
                # The order of seeding and building is that of `ecgnas baseline`, so factor 1
                # repeats its runs exactly.
                torch.manual_seed(seed)
                model = build(name, factor, ds1.window, n_rr)
                training = dataclasses.replace(config.final_training, seed=seed, max_threads=args.threads)
                result, test = train_on_ds1(model, ds1, ds2, training, config.final_epochs)
                if test is None:
                    raise SystemExit(f"{name} with factor {factor}, seed {seed} failed: {result.reason}")
                scores.append([test.macro_f1, *test.f1[1:4]])
            mean, spread = 100 * np.mean(scores, axis=0), 100 * np.std(scores, axis=0, ddof=1)
            cells = [f"{m:.2f} ± {s:.2f}" for m, s in zip(mean, spread, strict=True)]
            lines.append(f"| {factor} | {ds1.fs / factor:g} | " + " | ".join(cells) + " |")
            print(name, lines[-1], flush=True)

        # One section per network, so each can be measured again on its own.
        path = write_section(f"input-pool-{name}", "\n".join(lines))
        print(f"Wrote {path}")


if __name__ == "__main__":
    main()
