"""Benchmark of two search scores, holdout records and record folds, by how they rank DS2.

Random architectures of ``ecg1d`` are scored the two ways a search can score them,
at the quick preset's search fidelity:

- holdout: trained on the search-train records, macro-F1 on the five
  search-validation records;
- folds: trained on each of three record folds of DS1, macro-F1 of the pooled
  out-of-fold predictions.

Each architecture is then trained once under the quick preset's final protocol
and tested on DS2. The Spearman rank correlation of each score with the DS2
macro-F1 measures how well it ranks. The DS2 score of each score's top pick is
what a search would have kept. Results go to the ``search-scoring`` section of
``reports/benchmarks.md``; finished architectures are kept in a JSON file, so an
interrupted run resumes.

Usage:
    python -m benchmarks.search_scoring [--archs 12] [--workers 2] [--data-dir DIR] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

COMMAND = "python -m benchmarks.search_scoring"
FOLDS = 3

# Filled in the parent before the workers fork, so that each worker reads the beats
# from shared memory instead of preparing them again.
_SHARED: dict = {}


def score_one(index: int) -> dict:
    """Score architecture ``index`` both ways and test it on DS2 after final training."""
    import torch

    from ecgnas.pipelines.ecg_evaluator import EcgEvaluator
    from ecgnas.pipelines.final_training import train_on_ds1
    from ecgnas.spaces.model import build_model

    torch.set_num_threads(1)
    space, config, seed = _SHARED["space"], _SHARED["config"], _SHARED["seed"]
    arch = space.sample(seed + index)
    search = dataclasses.replace(config.search_training, device="cpu", max_threads=1)
    holdout = EcgEvaluator(space, _SHARED["holdout"], search).evaluate(arch)
    folds = EcgEvaluator(space, _SHARED["folds"], search).evaluate(arch)

    final = dataclasses.replace(config.final_training, device="cpu", max_threads=1, seed=seed)
    torch.manual_seed(seed)
    model = build_model(arch, space, rr_features=_SHARED["ds1"].rr.shape[1])
    result, test = train_on_ds1(model, _SHARED["ds1"], _SHARED["ds2"], final, "holdout")
    return {
        "index": index,
        "arch": arch.to_string(),
        "macs": holdout.info.get("macs"),
        "holdout": holdout.metric if holdout.ok else None,
        "folds": folds.metric if folds.ok else None,
        "ds2": None if test is None else test.macro_f1,
        "cost_seconds": holdout.cost_seconds + folds.cost_seconds + result.device_seconds,
    }


def summarise(rows: list[dict]) -> list[str]:
    """Rank correlations and top picks of both scores, as report lines."""
    from scipy.stats import spearmanr

    rows = [row for row in rows if None not in (row["holdout"], row["folds"], row["ds2"])]
    ds2 = np.array([row["ds2"] for row in rows])
    lines = [
        "| score | Spearman ρ with DS2 macro-F1 | DS2 macro-F1 of its top pick | rank of that pick on DS2 |",
        "| --- | --- | --- | --- |",
    ]
    for name in ("holdout", "folds"):
        values = np.array([row[name] for row in rows])
        rho = spearmanr(values, ds2).statistic
        pick = int(np.argmax(values))
        rank = int((ds2 > ds2[pick]).sum()) + 1
        lines.append(f"| {name} | {rho:.2f} | {100 * ds2[pick]:.1f} | {rank} of {len(rows)} |")
    lines += [
        "",
        f"DS2 macro-F1 over the {len(rows)} architectures: best {100 * ds2.max():.1f}, "
        f"median {100 * np.median(ds2):.1f}, worst {100 * ds2.min():.1f}.",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=12, help="random architectures to score")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="parallel processes, one thread each")
    parser.add_argument("--data-dir", default=os.environ.get("ECGNAS_DATA_DIR", "data"))
    parser.add_argument("--cache-dir", default=os.environ.get("ECGNAS_CACHE_DIR"))
    parser.add_argument("--rows", default="reports/search_scoring.json", help="JSON file of finished rows")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")

    import multiprocessing

    from benchmarks.report import current_commit, describe_machine, write_section
    from ecgnas.data.preprocess import PreprocessConfig
    from ecgnas.data.splits import split_records
    from ecgnas.pipelines.ecg_config import preset
    from ecgnas.pipelines.ecg_search import load_search_beats, search_splits
    from ecgnas.spaces.catalog import load_space

    beats, _ = load_search_beats(args.data_dir, args.cache_dir, False, PreprocessConfig())
    ds1 = beats.select(split_records("DS1"))
    config = preset("quick")
    _SHARED.update(
        space=load_space(config.space),
        config=config,
        seed=args.seed,
        holdout=search_splits(beats, None),
        folds=search_splits(beats, FOLDS),
        ds1=ds1,
        ds2=beats.select(split_records("DS2")),
    )

    path = Path(args.rows)
    saved = json.loads(path.read_text()) if path.is_file() else {"seed": args.seed, "rows": []}
    if saved["seed"] != args.seed:
        raise SystemExit(
            f"{path} contains rows of seed {saved['seed']}, not {args.seed}; pass --seed {saved['seed']} "
            "or another --rows file"
        )
    done = {row["index"] for row in saved["rows"]}
    todo = [index for index in range(args.archs) if index not in done]
    print(f"{len(done)} architectures already scored, {len(todo)} to go", flush=True)

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        futures = [pool.submit(score_one, index) for index in todo]
        for finished, future in enumerate(as_completed(futures), start=1):
            row = future.result()
            saved["rows"].append(row)
            saved["rows"].sort(key=lambda item: item["index"])
            path.write_text(json.dumps(saved, indent=1) + "\n")
            print(
                f"[{finished}/{len(todo)}] arch {row['index']}: holdout {row['holdout']}, "
                f"folds {row['folds']}, DS2 {row['ds2']}, {row['cost_seconds']:.0f} core-s",
                flush=True,
            )

    rows = [row for row in saved["rows"] if row["index"] < args.archs]
    lines = [
        "## Search scoring: holdout records or record folds",
        "",
        f"Command: `{COMMAND} --archs {args.archs} --seed {args.seed}` (commit {current_commit()}); "
        f"rows in `{path}`.",
        f"Machine: {describe_machine()}.",
        "",
        f"{len(rows)} random `ecg1d` architectures (space seeds {args.seed} to "
        f"{args.seed + args.archs - 1}), each scored at the quick preset's search fidelity on the "
        f"five search-validation records (holdout) and on {FOLDS} record folds of DS1 (folds), then "
        "trained once under the quick preset's final protocol and tested on DS2. DS2 figures are "
        "macro-F1 in percent over N, S, V, F.",
        "",
        *summarise(rows),
    ]
    report = write_section("search-scoring", "\n".join(lines))
    print(f"Wrote {report}")


if __name__ == "__main__":
    main()
