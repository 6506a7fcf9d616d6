"""The command line's log and warning lines: short, without source paths."""

import warnings

from ecgnas.cli.main import configure_logging


def test_warning_line_has_category_and_message():
    configure_logging("INFO")
    text = warnings.formatwarning("class Q has no beats", UserWarning, "/some/file.py", 12, "code()")
    assert text.endswith("WARNING UserWarning: class Q has no beats\n")
    assert "/some/file.py" not in text
    assert "code()" not in text


def test_progress_bar_follows_request():
    from ecgnas.progress import bar_disable

    assert bar_disable(False) is True
    assert bar_disable(True) is None
