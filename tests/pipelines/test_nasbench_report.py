"""The NAS-Bench report, on small result files written here."""

import csv
import json

from ecgnas.pipelines.nasbench_harness import CSV_FIELDS
from ecgnas.pipelines.nasbench_report import write_report


def write_results(folder, values: dict[str, list[float]]) -> None:
    """Write one run per value, whose best validation rises to that value at 100 queries."""
    folder.mkdir()
    with open(folder / "nasbench201-cifar10-q100.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for method, bests in values.items():
            for seed, best in enumerate(bests):
                for queries in range(1, 101):
                    writer.writerow(
                        {
                            "bench": "nasbench201",
                            "dataset": "cifar10",
                            "method": method,
                            "seed": seed,
                            "queries": queries,
                            "best_valid": best - (100 - queries) / 100,
                            "test_of_best": best + 2.5,
                            "seconds": 1.0,
                            "config": "abc",
                        }
                    )
    invocation = {"command": "ecgnas bench run --runs 2", "seconds": 12.0}
    (folder / "nasbench201-cifar10-q100.json").write_text(json.dumps({"invocations": [invocation]}))


def test_report_tables_and_target(tmp_path):
    results = tmp_path / "results"
    write_results(results, {"dcl": [91.5, 91.7], "rs": [91.0, 91.2]})
    text = write_report(results, tmp_path / "nasbench.md").read_text()

    assert "- `ecgnas bench run --runs 2` (12 s wall)" in text
    assert "| dcl | 2 |" in text
    assert "91.60 ± 0.14" in text
    assert "measured 91.600 over 2 runs: met." in text
    assert "| SAENAS-NE | 100 | 91.58 | 94.34 | saenas |" in text
    assert "`dcl` − `rs`: +0.500 points (standard error 0.141; `dcl` ahead by more than one" in text


def test_report_target_missed(tmp_path):
    results = tmp_path / "results"
    write_results(results, {"dcl": [91.4, 91.5]})
    text = write_report(results, tmp_path / "nasbench.md").read_text()
    assert "measured 91.450 over 2 runs: missed by 0.150 points." in text
