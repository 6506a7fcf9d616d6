"""Shared test setup: telemetry off, and the real data directory beside the project."""

import os
from pathlib import Path

# Before anything imports MLflow, ONNX Runtime or Ray, so none of them reports usage.
for _name, _value in {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "ORT_DISABLE_TELEMETRY": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
}.items():
    os.environ.setdefault(_name, _value)

import pytest  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]

# The real data lives beside the repository; ECGNAS_DATA_DIR overrides that place.
os.environ.setdefault("ECGNAS_DATA_DIR", str(REPOSITORY.parent / "shared" / "data"))
DATA_DIR = Path(os.environ["ECGNAS_DATA_DIR"])
MITDB_DIR = DATA_DIR / "mitdb"
NASBENCH_DIR = DATA_DIR / "nasbench"


@pytest.fixture(scope="session")
def mitdb_dir() -> Path:
    """Folder of the real MIT-BIH records; the tests fail loudly when it is absent."""
    if not (MITDB_DIR / "100.hea").is_file():
        pytest.fail(
            f"MIT-BIH records not found in {MITDB_DIR}; set ECGNAS_DATA_DIR to a directory "
            "whose mitdb/ folder holds the database"
        )
    return MITDB_DIR


@pytest.fixture(scope="session")
def nasbench_dir() -> Path:
    """Folder of the NAS-Bench tables; the tests fail loudly when it is absent."""
    if not (NASBENCH_DIR / "nb201_200ep.csv.gz").is_file():
        pytest.fail(
            f"NAS-Bench tables not found in {NASBENCH_DIR}; set ECGNAS_DATA_DIR to a "
            "directory whose nasbench/ folder holds them"
        )
    return NASBENCH_DIR


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory) -> Path:
    """Beat cache shared by the tests of one session, apart from the user's cache."""
    return tmp_path_factory.mktemp("ecgnas-cache")


@pytest.fixture(scope="session")
def real_beats(mitdb_dir, session_cache_dir):
    """Beats of DS1 and DS2 with the default preprocessing, prepared once per session."""
    from ecgnas.data import prepare_beats

    return prepare_beats(data_dir=mitdb_dir.parent, cache_dir=session_cache_dir, progress=False)
