"""The one exception tree. Every message says what to do next.

- ``EarshotError``: root; ``exit_code`` is what a command exits with.
  - ``ConfigError``: our side, a bad or missing setting (exit 2).
  - ``InputError``: a file handed to a command cannot be read.
  - ``SourceError``: their side, a platform answered badly; carries ``source`` and ``status``.
    - ``RateLimited``: the platform asked us to wait; carries ``reset_at`` (epoch seconds) if known.
    - ``AccessDenied``: credentials missing, wrong, or an access level too low.
  - ``LakeError``: the data directory is unusable.
    - ``LockBusy``: another run holds the write lock.
  - ``WorkflowConflict``: someone else changed a conversation's decision meanwhile.
"""

from __future__ import annotations


class EarshotError(Exception):
    """Root of all errors Earshot raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}".strip())


class ConfigError(EarshotError):
    """A setting is missing or wrong; nothing was written."""

    exit_code = 2


class InputError(EarshotError):
    """An input file given on the command line cannot be used."""


class SourceError(EarshotError):
    """A platform's answer was an error, malformed, or never came."""

    def __init__(self, source: str, message: str, hint: str = "", status: int | None = None) -> None:
        self.source = source
        self.status = status
        prefix = f"{source}: " + (f"HTTP {status}: " if status else "")
        super().__init__(prefix + message, hint)


class RateLimited(SourceError):
    """The platform rate-limited us; ``reset_at`` is when it says we may retry."""

    def __init__(self, source: str, reset_at: float | None, status: int | None = 429) -> None:
        self.reset_at = reset_at
        super().__init__(source, "rate limited", "The run will resume from its cursor next time.", status)


class AccessDenied(SourceError):
    """Credentials are missing or invalid, or the account's access level is too low."""


class LakeError(EarshotError):
    """The data directory cannot be read or written as expected."""


class LockBusy(LakeError):
    """Another Earshot run holds the write lock on the data directory."""


class WorkflowConflict(EarshotError):
    """A decision was made on a conversation since the user loaded it; nothing was overwritten."""
