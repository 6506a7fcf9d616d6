"""Errors raised by the NAS-Bench tables for problems a user can fix."""

from __future__ import annotations

from ecgnas.exceptions import EcgnasError


class BenchmarkFileError(EcgnasError, ValueError):
    """A NAS-Bench file is truncated, corrupt or does not have the expected layout."""


class NotInBenchmarkError(EcgnasError, LookupError):
    """An architecture, key or fidelity has no row in the benchmark table."""
