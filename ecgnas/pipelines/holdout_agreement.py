"""Agreement of the search-validation records with DS2 in ranking the compared models.

A search keeps the candidates that score best on the search-validation records of
DS1, and final training keeps the epoch that scores best there. Both choices are
only as good as the agreement of those records with unseen patients. Final training
records each run's best search-validation macro-F1, so a comparison can show that
agreement on the models it lists, at final-training fidelity.
"""

from __future__ import annotations

import math
from typing import Any

import scipy.stats

from ecgnas.pipelines.report_numbers import finite_mean

MIN_MODELS_FOR_RANKING = 3
"""Minimum number of models for which a rank correlation is reported."""


def holdout_lines(models: list[dict[str, Any]]) -> list[str]:
    """Return the report section on search-validation versus DS2 scores, or nothing.

    When every run trained on all of DS1, the section contains one sentence on why it is empty.

    A model without a search-validation score shows n/a, with the reason when its run
    trained on all of DS1 (those records were in its training). It is left out of the rank
    correlation.
    """
    if not any(m.get("holdout") for m in models):
        if models and all(m.get("final_epochs", "holdout") != "holdout" for m in models):
            return [
                "## Search-validation records versus DS2",
                "",
                "Not shown: every run trained on all of DS1, search-validation records included, "
                "so no run has a score on DS1 patients it did not train on.",
                "",
            ]
        return []

    lines = [
        "## Search-validation records versus DS2",
        "",
        "Macro-F1 (N, S, V, F) in percent, mean over training seeds: on the search-validation "
        "records at the epoch that final training kept (chosen on those records, so optimistic), "
        "and on DS2.",
        "",
        "| model | search-validation | DS2 |",
        "| --- | --- | --- |",
    ]
    pairs = [
        (finite_mean(m.get("holdout", [])), finite_mean(m["metrics"].get("macro_f1", []))) for m in models
    ]
    for m, (holdout, test) in zip(models, pairs, strict=True):
        if math.isfinite(holdout):
            holdout_cell = f"{100 * holdout:.2f}"
        elif m.get("final_epochs", "holdout") != "holdout":
            holdout_cell = "n/a (trained on all of DS1)"
        else:
            holdout_cell = "n/a (not recorded)"
        lines.append(f"| {m['name']} | {holdout_cell} | {100 * test:.2f} |")

    finite = [(h, t) for h, t in pairs if math.isfinite(h) and math.isfinite(t)]
    if len(finite) >= MIN_MODELS_FOR_RANKING:
        rho = scipy.stats.spearmanr([h for h, _ in finite], [t for _, t in finite]).statistic
        lines += [
            "",
            f"Spearman ρ between the two columns over these {len(finite)} models: {rho:.2f}. A low or "
            "negative value means the search-validation records do not rank these models as unseen "
            "patients do, so a higher search score is no evidence of a better model among them.",
        ]
    else:
        lines += [
            "",
            f"No rank correlation: it needs at least {MIN_MODELS_FOR_RANKING} models with both scores.",
        ]
    return [*lines, ""]
