"""The smoke search that several test modules read: its command-line arguments."""

# A count limit, not the device-time budget, ends these searches, so that runs on a
# busy machine evaluate the same candidates as runs on an idle one.
SEARCH_ARGS = ["search", "--preset", "smoke", "--max-evals", "4", "--budget", "2h", "--seed", "3"]


def data_args(mitdb_dir, cache_dir):
    """Point a command at the test data and the session's cache."""
    return ["--data-dir", str(mitdb_dir.parent), "--cache-dir", str(cache_dir)]
