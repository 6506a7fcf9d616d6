"""A finished smoke search on the real records, shared by the pipeline tests that only read it."""

import pytest

from ecgnas.cli.main import main
from tests.pipelines.smoke_search import SEARCH_ARGS, data_args


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory, mitdb_dir, session_cache_dir):
    run_dir = tmp_path_factory.mktemp("search") / "run"
    status = main([*SEARCH_ARGS, "--run-dir", str(run_dir), *data_args(mitdb_dir, session_cache_dir)])
    assert status == 0
    return run_dir
