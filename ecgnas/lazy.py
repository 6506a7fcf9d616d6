"""Package attributes that import their module on first use.

The command-line tool imports many subpackages to build its parser. When a
package's ``__init__`` imports everything it exports, ``ecgnas --help`` pays
for SciPy, wfdb and PyTorch Geometric before printing a line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, sources: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of a package whose exports load on first use.

    Args:
        package: The package's ``__name__``.
        sources: Exported name to the module that defines it.

    Returns:
        The two module-level functions; assign them in the package's ``__init__``.
    """
    namespace = import_module(package).__dict__

    def get_attribute(name: str) -> Any:
        if name not in sources:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(sources[name]), name)
        namespace[name] = value
        return value

    def list_attributes() -> list[str]:
        return sorted(set(namespace) | set(sources))

    return get_attribute, list_attributes
