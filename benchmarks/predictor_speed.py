"""Benchmark: pre-training, fine-tuning and scoring speed of the dual-contrastive predictor.

Phases, on the NAS-Bench-201 operation-node space with default settings:

1. pre-training on 10,000 unlabelled cells (default 15 epochs);
2. fitting (fine-tuning) on 100 labelled cells, median of ``--repeats`` fits;
3. scoring 10,000 cells the predictor has never seen, graph conversion
   included (fresh ``Architecture`` objects, so no cache helps), median of
   ``--repeats``.

Targets on 2 CPU cores: pre-training <= 300 s, fitting on 100 labels <= 10 s,
scoring 10,000 <= 2 s. The figures go to the ``predictor-speed`` section of
``reports/benchmarks.md``.

The default is one torch thread. On the 2-core development machine, shared
with other jobs (load average about 4), two threads made fitting 25 times
slower (27 s against 1.1 s for 100 labels) because the threads waited on each
other, so use ``--threads 2`` only on an idle machine.

Usage:
    python -m benchmarks.predictor_speed [--data-dir DIR] [--threads 1] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

COMMAND = "python -m benchmarks.predictor_speed"
TARGETS_S = {"pretrain": 300.0, "fit": 10.0, "score": 2.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder above nasbench/ (default: $ECGNAS_DATA_DIR, else ./data)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: 1)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of fit and score (default: 3)")
    args = parser.parse_args()

    import numpy as np
    import torch

    from benchmarks.report import current_commit, describe_machine, write_section
    from ecgnas.data.locate import resolve_data_dir
    from ecgnas.predictor import GnnPredictor, PredictorConfig, pretrain_encoder
    from ecgnas.predictor.benchmark_tables import load_table
    from ecgnas.spaces import Architecture

    torch.set_num_threads(args.threads)
    table = load_table("nb201-cifar10", Path(resolve_data_dir(args.data_dir)) / "nasbench", pool_size=10_000)
    config = PredictorConfig(device="cpu")

    started = time.perf_counter()
    encoder = pretrain_encoder(table.space, config.encoder, config.pretrain, device="cpu", archs=table.pool)
    pretrain_s = time.perf_counter() - started

    rng = np.random.default_rng(0)
    fit_times, score_times = [], []
    for repeat in range(args.repeats):
        rows = rng.permutation(len(table.archs))
        labelled = [(table.archs[i], float(table.metrics[i])) for i in rows[:100]]
        predictor = GnnPredictor(table.space, config.replace(seed=repeat), encoder=encoder)
        started = time.perf_counter()
        predictor.fit(labelled)
        fit_times.append(time.perf_counter() - started)

        # Cells outside the labelled 100, as fresh objects: graph conversion is measured too.
        candidates = [Architecture.from_string(table.archs[i].to_string()) for i in rows[100:10_100]]
        started = time.perf_counter()
        predictor.score(candidates)
        score_times.append(time.perf_counter() - started)

    measured = {
        "pretrain": pretrain_s,
        "fit": statistics.median(fit_times),
        "score": statistics.median(score_times),
    }
    labels = {
        "pretrain": "pre-training on 10,000 cells (15 epochs)",
        "fit": f"fit on 100 labels (median of {args.repeats})",
        "score": f"score 10,000 unseen cells (median of {args.repeats})",
    }
    lines = [
        "## Predictor speed",
        "",
        f"`{COMMAND} --threads {args.threads} --repeats {args.repeats}` at commit {current_commit()}, "
        f"{describe_machine()}, torch {torch.__version__} with {args.threads} thread(s). "
        "Other jobs shared the cores, so these are upper bounds.",
        "",
        "| phase | seconds | target (s) | met |",
        "|---|---:|---:|---|",
    ]
    for key, seconds in measured.items():
        met = "yes" if seconds <= TARGETS_S[key] else "no"
        lines.append(f"| {labels[key]} | {seconds:.2f} | {TARGETS_S[key]:g} | {met} |")
    path = write_section("predictor-speed", "\n".join(lines))
    print("\n".join(lines))
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
