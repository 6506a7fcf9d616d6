"""When to draw progress bars."""

from __future__ import annotations


def bar_disable(progress: bool) -> bool | None:
    """Return tqdm's ``disable`` argument for a bar the caller may switch off.

    ``None`` lets tqdm hide the bar when standard error is not a terminal, so that a
    log written to a file gets no carriage-return redraws.
    """
    return None if progress else True
