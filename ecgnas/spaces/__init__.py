"""Architectures, search spaces and their encodings."""

from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError
from ecgnas.spaces.base import GlobalChoice, SearchSpace, as_generator
from ecgnas.spaces.cell_space import CellSpace

__all__ = [
    "Architecture",
    "CellSpace",
    "GlobalChoice",
    "InvalidArchitectureError",
    "SearchSpace",
    "as_generator",
]
