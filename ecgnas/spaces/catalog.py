"""Find search space declarations by name or path and load them."""

from __future__ import annotations

import sys
from pathlib import Path

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.declaration import read_declaration
from ecgnas.spaces.declared_space import DeclaredSpace

# The declarations live in the repository's searchspaces/ folder, which an editable
# install reads in place; a wheel installs copies under PREFIX/share/ecgnas/searchspaces
# (the data-files entry of pyproject.toml).
SPACE_DIRS: tuple[Path, ...] = (
    Path(__file__).resolve().parents[1] / "searchspaces",
    Path(__file__).resolve().parents[2] / "searchspaces",
    Path(sys.prefix) / "share" / "ecgnas" / "searchspaces",
)
"""Folders searched, in order, for ``NAME.yaml`` when a space is given by name."""


def available_spaces() -> dict[str, Path]:
    """Return the built-in space names and their files; an earlier folder wins a clash."""
    found: dict[str, Path] = {}
    for folder in SPACE_DIRS:
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.stem, path)
    return found


def find_space_file(name_or_path: str | Path) -> Path:
    """Resolve a built-in space name or a declaration file path.

    A value ending in ``.yaml``/``.yml`` or naming an existing file is a path;
    anything else is a built-in name.

    Raises:
        ConfigError: The file does not exist or the name is unknown.
    """
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise ConfigError(f"search space file {path} not found")
        return path
    spaces = available_spaces()
    if text not in spaces:
        raise ConfigError(
            f"unknown search space {text!r}; built-in spaces: {sorted(spaces)}, or pass the "
            "path of a .yaml declaration"
        )
    return spaces[text]


def load_space(name_or_path: str | Path) -> DeclaredSpace:
    """Load a built-in space by name (such as ``"ecg1d"``) or a declaration file.

    Raises:
        ConfigError: The space cannot be found or its declaration is invalid.
    """
    return DeclaredSpace(read_declaration(find_space_file(name_or_path)))
