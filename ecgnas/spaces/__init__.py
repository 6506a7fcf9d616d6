"""Architectures, search spaces and their encodings."""

from ecgnas.spaces.architecture import Architecture, InvalidArchitectureError
from ecgnas.spaces.base import GlobalChoice, SearchSpace, as_generator

__all__ = [
    "Architecture",
    "GlobalChoice",
    "InvalidArchitectureError",
    "SearchSpace",
    "as_generator",
]
