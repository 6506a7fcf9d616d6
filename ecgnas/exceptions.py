"""Exceptions that ecgnas raises for problems a user can fix.

The CLI prints these as one ``error:`` line without a traceback. Anything else
that escapes is a bug and keeps its traceback.
"""


class EcgnasError(Exception):
    """Base class of every user-facing ecgnas error."""


class ConfigError(EcgnasError, ValueError):
    """An option, configuration value or declaration file is invalid."""


class DataNotFoundError(EcgnasError, FileNotFoundError):
    """Expected data files are missing."""


class RecordError(EcgnasError):
    """A WFDB record is missing, truncated or inconsistent with its header."""


class DownloadError(EcgnasError):
    """Fetching data from PhysioNet failed."""


class CacheError(EcgnasError):
    """A cache file cannot be written."""
