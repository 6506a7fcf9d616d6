"""Writing one benchmark's section of ``reports/benchmarks.md``.

Each benchmark owns a section between two HTML comment markers, so benchmarks
can be rerun one at a time without touching each other's figures.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "reports" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\n"
    "Every section below is written by the script it names; rerun that script to refresh it.\n"
)


def describe_machine() -> str:
    """Return one line naming the CPU, core count, memory and Python version."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        if match:
            cpu = match.group(1).strip()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        match = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        if match:
            memory = f", {int(match.group(1)) / 2**20:.0f} GiB memory"
    load = ""
    if hasattr(os, "getloadavg"):
        # Other processes on the machine slow every figure; the 1-minute load average shows how busy it was.
        load = f", load average {os.getloadavg()[0]:.1f} when measured"
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}{load}"


def current_commit() -> str:
    """Return the short hash of the checked-out commit, or ``unknown``."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPORT.parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def write_section(name: str, body: str) -> Path:
    """Replace the section called ``name`` in the benchmark report, or append it."""
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    text = REPORT.read_text() if REPORT.is_file() else HEADER
    section = f"{begin}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else f"{text.rstrip()}\n\n{section}\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
    return REPORT
