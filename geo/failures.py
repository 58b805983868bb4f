"""Exceptions raised by the account, territory and responsibility services.

They carry no HTTP status; the API maps them (``api/accounts/problems.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ConflictError", "InvalidInput", "Missing", "NotAllowed"]


class InvalidInput(Exception):
    """Input that is well-formed but wrong; ``errors`` maps field -> messages."""

    def __init__(
        self,
        errors: Mapping[str, object],
        detail: str = "",
        location: str = "json",
    ) -> None:
        super().__init__(detail or "The request is not valid: see errors.")
        self.errors = errors
        self.detail = detail or "The request is not valid: see errors."
        #: Where the bad input came from (``json``, ``query``, ``files``...).
        self.location = location


class Missing(Exception):
    """The object does not exist or is outside the caller's scope (never say which)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"No such {what}.")
        self.what = what


class ConflictError(Exception):
    """The request contradicts the stored state (e.g. a back-dated reassignment)."""


class NotAllowed(Exception):
    """The caller's role may not do this at all (e.g. a collector creating accounts)."""
