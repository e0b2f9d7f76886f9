"""Earshot core: configuration, paths, errors and logging shared by every room."""

__version__ = "0.1.0"
