"""A cell space built from a YAML declaration."""

from __future__ import annotations

from typing import Any

from ecgnas.exceptions import ConfigError
from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError
from ecgnas.spaces.cell_space import CellSpace
from ecgnas.spaces.declaration import (
    OPTIONAL_MACRO_CHOICES,
    InputDeclaration,
    MacroDeclaration,
    SpaceDeclaration,
)


class DeclaredSpace(CellSpace):
    """The generic cell space of a :class:`SpaceDeclaration`.

    Args:
        declaration: The validated declaration.

    Attributes:
        declaration: The declaration the space was built from.
    """

    def __init__(self, declaration: SpaceDeclaration) -> None:
        super().__init__(
            declaration.name,
            [op.name for op in declaration.operations],
            declaration.max_nodes,
            declaration.max_edges,
            declaration.global_choices,
        )
        self.declaration = declaration

    def validate(self, arch: Architecture) -> None:
        """Raise :class:`InvalidArchitectureError` unless ``arch`` belongs to this space.

        An architecture string from a space without ``input_pool`` lacks that choice,
        so the error then gives the value that reproduces its network.
        """
        declared = {choice.name for choice in self.global_choices}
        missing = {
            name: default
            for name, default in OPTIONAL_MACRO_CHOICES.items()
            if name in declared and name not in arch.choices
        }
        if missing:
            added = ",".join(f'"{name}":{default}' for name, default in missing.items())
            raise InvalidArchitectureError(
                f"global choices {sorted(missing)} are missing; space {self.name!r} requires "
                f"{sorted(declared)}. An architecture string from a space without them, such as "
                f"ecg1d, meant {added}: add that to its JSON choices"
            )
        super().validate(arch)

    def to_dict(self) -> dict[str, Any]:
        """Return the whole declaration, operation parameters and macro included."""
        return self.declaration.to_dict()

    @property
    def macro(self) -> MacroDeclaration:
        """The macro skeleton.

        Raises:
            ConfigError: The declaration has none, so its models cannot be built.
        """
        if self.declaration.macro is None:
            raise ConfigError(
                f"space {self.name!r} ({self.declaration.source}) declares no 'macro' section, "
                "so no model can be built for it"
            )
        return self.declaration.macro

    @property
    def model_input(self) -> InputDeclaration:
        """The declared model input.

        Raises:
            ConfigError: The declaration has none, so its models cannot be built.
        """
        if self.declaration.input is None:
            raise ConfigError(
                f"space {self.name!r} ({self.declaration.source}) declares no 'input' section, "
                "so no model can be built for it"
            )
        return self.declaration.input

    def stem_width(self, arch: Architecture) -> int:
        """Return the stem width of ``arch``: its global choice or the fixed macro value."""
        return self._macro_value(arch, "stem_width")

    def cells_per_stack(self, arch: Architecture) -> int:
        """Return the cells per stack of ``arch``: its global choice or the fixed macro value."""
        return self._macro_value(arch, "cells_per_stack")

    def input_pool(self, arch: Architecture) -> int:
        """Return the input pooling factor of ``arch``: its global choice or the fixed macro value."""
        return self._macro_value(arch, "input_pool")

    def _macro_value(self, arch: Architecture, name: str) -> int:
        fixed = getattr(self.macro, name)
        return int(fixed if fixed is not None else arch.choices[name])
