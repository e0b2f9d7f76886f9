"""Collectors: one file per source behind the interface in ``collectors.base``."""
