"""Entry point of the ``ecgnas`` command: parses arguments and runs one command."""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from collections.abc import Sequence

from ecgnas.telemetry import disable_telemetry

# Telemetry must be off before any command module imports MLflow, ONNX Runtime or Ray.
disable_telemetry()

from ecgnas import __version__  # noqa: E402
from ecgnas.cli import (  # noqa: E402
    data_commands,
    model_commands,
    nasbench_commands,
    predictor_commands,
    retrain_commands,
    search_commands,
    space_commands,
)
from ecgnas.exceptions import EcgnasError  # noqa: E402

logger = logging.getLogger("ecgnas")

# Each command group module exposes ``register(subparsers)``.
COMMAND_GROUPS = [
    data_commands,
    space_commands,
    predictor_commands,
    nasbench_commands,
    search_commands,
    retrain_commands,
    model_commands,
]


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every command group registered."""
    parser = argparse.ArgumentParser(
        prog="ecgnas",
        description="Neural architecture search for ECG arrhythmia classification.",
    )
    parser.add_argument("--version", action="version", version=f"ecgnas {__version__}")
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="verbosity of the log lines written to standard error (default: INFO)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def configure_logging(level: str) -> None:
    """Send ecgnas log records to standard error, one short line each."""
    # Replace the handler of an earlier call, as when tests call main() repeatedly.
    for old in [h for h in logger.handlers if getattr(h, "ecgnas_cli", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler()
    handler.ecgnas_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logger.addHandler(handler)
    logger.setLevel(level)
    # Python's default warning text names a source file and repeats a code line, so it
    # reads like a crash. A user needs only the category and the message.
    warnings.formatwarning = _short_warning


def _short_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: str | None = None
) -> str:
    return f"{time.strftime('%H:%M:%S')} WARNING {category.__name__}: {message}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command given by ``argv`` and return the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    try:
        return int(args.run(args) or 0)
    except EcgnasError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
