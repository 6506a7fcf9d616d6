"""Opt-out switches for the usage reporting of ecgnas's dependencies.

MLflow 3, ONNX Runtime and Ray report usage to outside hosts by default. ecgnas
turns that off before they are imported, unless the user has set the variable.
"""

import os

TELEMETRY_OPT_OUTS = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "ORT_DISABLE_TELEMETRY": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def disable_telemetry() -> None:
    """Set every opt-out variable that the user has not set already."""
    for name, value in TELEMETRY_OPT_OUTS.items():
        os.environ.setdefault(name, value)
