"""Measuring predictor variants on labelled benchmark tables.

For each table, training size ``N`` and seed: draw ``N`` labelled cells at
random, fit every variant on them, and score a test sample of other cells
drawn with the same seed. The pre-trained encoder is made once per table
pool (seeded by ``config.pretrain.seed``) and shared by every seed, as a
search on that space would reuse it. The seed spread therefore covers the
labelled sample and the fine-tuning initialisation, not pre-training.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecgnas.predictor.benchmark_tables import LabelledTable
from ecgnas.predictor.checkpoint import load_or_pretrain
from ecgnas.predictor.config import PredictorConfig
from ecgnas.predictor.metrics import ranking_metrics
from ecgnas.predictor.pretraining import PretrainedEncoder
from ecgnas.predictor.variants import Variant, build_predictor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvaluationRow:
    """Metrics of one variant on one table, training size and seed.

    Attributes:
        table: Table name.
        variant: Variant name.
        n_train: Labelled cells used for fitting.
        seed: Seed of the labelled sample, test sample and fine-tuning.
        kendall_tau: Kendall's tau-b on the test sample.
        spearman_rho: Spearman's rho on the test sample.
        precision_top5: Precision at the top 5 % of the test sample.
        best_true_rank: True rank in the test sample of the predicted best.
        fit_seconds: Wall time of ``fit``.
        score_seconds: Wall time of ``score`` on the test sample.
    """

    table: str
    variant: str
    n_train: int
    seed: int
    kendall_tau: float
    spearman_rho: float
    precision_top5: float
    best_true_rank: int
    fit_seconds: float
    score_seconds: float


@dataclass
class Scatter:
    """Predicted scores against true metrics of one fit, for the report's plot."""

    table: str
    variant: str
    n_train: int
    seed: int
    scores: np.ndarray
    truth: np.ndarray


def split_indices(n_rows: int, n_train: int, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw disjoint training and test row indices; the test sample is the rest when it is smaller."""
    order = np.random.default_rng(seed).permutation(n_rows)
    return order[:n_train], order[n_train : n_train + n_test]


def evaluate_table(
    table: LabelledTable,
    variants: Sequence[Variant],
    sizes: Sequence[int],
    seeds: Sequence[int],
    config: PredictorConfig,
    n_test: int = 5000,
    cache_dir: str | Path | None = None,
    encoder: PretrainedEncoder | None = None,
    scatter_of: tuple[str, int] | None = None,
) -> tuple[list[EvaluationRow], list[Scatter]]:
    """Fit and score every variant on ``table`` for each training size and seed.

    Args:
        table: Labelled cells, space and pre-training pool.
        variants: Predictor recipes.
        sizes: Training sizes ``N``.
        seeds: Seeds of the repetitions.
        config: Shared settings; each repetition overrides ``config.seed``.
        n_test: Size of the test sample drawn from the cells not used for training.
        cache_dir: Folder of pre-trained encoders.
        encoder: A pre-trained encoder to use instead of loading or pre-training one.
        scatter_of: ``(variant name, N)`` whose first-seed scores are kept for plotting.

    Returns:
        One row per (variant, N, seed), and the kept scatters.
    """
    if encoder is None and config.pretrain is not None and any(v.pretrained for v in variants):
        encoder = load_or_pretrain(
            table.space,
            config.encoder,
            config.pretrain,
            cache_dir,
            config.device,
            archs=table.pool,
            pool_id=f"{table.space.name}-pool{len(table.pool)}",
        )
    rows: list[EvaluationRow] = []
    scatters: list[Scatter] = []
    for n_train in sizes:
        for seed in seeds:
            train, test = split_indices(len(table.archs), n_train, n_test, seed)
            labelled = [(table.archs[i], float(table.metrics[i])) for i in train]
            test_archs = [table.archs[i] for i in test]
            truth = table.metrics[test]
            for variant in variants:
                predictor = build_predictor(variant, table.space, config.replace(seed=seed), encoder)
                started = time.perf_counter()
                predictor.fit(labelled)
                fitted = time.perf_counter()
                scores = predictor.score(test_archs)
                scored = time.perf_counter()
                metrics = ranking_metrics(scores, truth)
                rows.append(
                    EvaluationRow(
                        table=table.name,
                        variant=variant.name,
                        n_train=n_train,
                        seed=seed,
                        kendall_tau=metrics.kendall_tau,
                        spearman_rho=metrics.spearman_rho,
                        precision_top5=metrics.precision_top,
                        best_true_rank=metrics.best_true_rank,
                        fit_seconds=fitted - started,
                        score_seconds=scored - fitted,
                    )
                )
                if scatter_of == (variant.name, n_train) and seed == seeds[0]:
                    scatters.append(Scatter(table.name, variant.name, n_train, seed, scores, truth))
            logger.info(
                "%s N=%d seed=%d: %s",
                table.name,
                n_train,
                seed,
                ", ".join(f"{row.variant} tau {row.kendall_tau:.3f}" for row in rows[-len(variants) :]),
            )
    return rows, scatters
