"""Benchmark: preparing the beats of all 48 MIT-BIH records, cold and from the cache.

Each phase runs in a fresh Python process so that its wall time and peak memory
are its own. The figures go to the ``data-pipeline`` section of
``reports/benchmarks.md``.

Usage:
    python -m benchmarks.prepare_mitdb [--data-dir DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time

# Records 102 and 104 have no MLII lead, so this benchmark falls back to V5 for them.
LEADS = ("MLII", "V5")
COMMAND = "python -m benchmarks.prepare_mitdb"


def run_phase(data_dir: str | None, cache_dir: str) -> dict:
    """Prepare all 48 records in this process and return time and peak memory."""
    from ecgnas.data.download import MITDB_RECORDS
    from ecgnas.data.prepare import prepare_beats
    from ecgnas.data.preprocess import PreprocessConfig

    start = time.perf_counter()
    beats = prepare_beats(
        MITDB_RECORDS,
        PreprocessConfig(leads=LEADS),
        data_dir=data_dir,
        cache_dir=cache_dir,
        download=False,
        progress=False,
    )
    elapsed = time.perf_counter() - start
    # ru_maxrss is in kibibytes on Linux.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": elapsed,
        "peak_mib": peak_mib,
        "beats": len(beats),
        "built": len(beats.built_records),
        "cached": len(beats.cached_records),
    }


def measure(data_dir: str | None, cache_dir: str) -> dict:
    """Run one phase in a child process and return its figures."""
    command = [sys.executable, __file__, "--phase", "--cache-dir", cache_dir]
    if data_dir:
        command += ["--data-dir", data_dir]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="data directory (default: $ECGNAS_DATA_DIR, else ./data)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each phase (default: 3)")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        print(json.dumps(run_phase(args.data_dir, args.cache_dir)))
        return

    cold, cached = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache_dir:
            cold.append(measure(args.data_dir, cache_dir))
            cached.append(measure(args.data_dir, cache_dir))
    assert all(run["built"] == 48 for run in cold) and all(run["cached"] == 48 for run in cached)

    from benchmarks.report import current_commit, describe_machine, write_section

    def row(name: str, runs: list[dict], target: str) -> str:
        seconds = [run["seconds"] for run in runs]
        return (
            f"| {name} | {statistics.median(seconds):.2f} | {min(seconds):.2f}–{max(seconds):.2f} "
            f"| {max(run['peak_mib'] for run in runs):.0f} | {target} |"
        )

    body = "\n".join(
        [
            "## Data pipeline: preparing all 48 MIT-BIH records",
            "",
            f"Command: `{COMMAND}` (commit {current_commit()}, {args.repeats} runs per phase, each in a "
            "fresh process).",
            f"Machine: {describe_machine()}.",
            "",
            f"Default preprocessing, leads {list(LEADS)} (V5 for the paced records 102 and 104, which "
            f"have no MLII), {cold[0]['beats']:,} beats of 252 samples. Cold: empty cache, every record "
            "read, filtered and segmented, then cached. Cached: the same cache read back, including the "
            "SHA-256 check of every source file. Wall time excludes interpreter start and imports; peak "
            "memory is the process's maximum resident set size, imports included.",
            "",
            "| phase | median (s) | range (s) | peak memory (MiB) | target |",
            "| --- | --- | --- | --- | --- |",
            row("cold", cold, "≤ 20 s"),
            row("cached", cached, "≤ 1 s"),
        ]
    )
    path = write_section("data-pipeline", body)
    print(body)
    print(f"\nWrote {path}")


if __name__ == "__main__":
    main()
