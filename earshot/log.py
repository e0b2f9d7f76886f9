"""Logging for commands: one line per event on stderr, secrets masked."""

from __future__ import annotations

import logging
import os
import re
import sys

# Query parameters and headers that carry credentials in the URLs our clients log.
_SECRET_PARAM = re.compile(r"(?i)((?:access_token|token|key|secret|password|sig|signature)=)[^&\s]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
SECRET_ENV_HINTS = ("TOKEN", "SECRET", "PASSWORD", "KEY")


def secret_values() -> list[str]:
    """Values of environment variables whose names say they hold a secret (long enough to mask)."""
    return [v for k, v in os.environ.items() if any(h in k.upper() for h in SECRET_ENV_HINTS) and len(v) >= 6]


def mask(text: str) -> str:
    """Replace credentials in ``text``: token query parameters, bearer tokens, secret env values."""
    text = _SECRET_PARAM.sub(r"\1***", text)
    text = _BEARER.sub(r"\1***", text)
    for value in secret_values():
        text = text.replace(value, "***")
    return text


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def setup(verbose: bool = False) -> None:
    """Log to stderr at INFO (DEBUG with ``verbose``), every line masked."""
    handler = _StderrHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
