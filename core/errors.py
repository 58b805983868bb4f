"""The domain's one error vocabulary: what can go wrong, in words a caller can act on.

The core raises these and nothing else for a request's failure; they carry no HTTP
status. ``api/errors.py`` maps each class to problem+json in one table. Subclasses
(e.g. a plan conflict) keep their parent's mapping.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "Conflict",
    "DomainError",
    "Gone",
    "Invalid",
    "NotAllowed",
    "NotFound",
    "Rejected",
]


class DomainError(Exception):
    """Base of every failure the core reports to its caller; ``detail`` is for people."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The object does not exist or is outside the caller's scope (never say which)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"No such {what}.")
        self.what = what


class Invalid(DomainError):
    """Input that is well-formed but wrong; ``errors`` maps field -> messages.

    ``location`` says where the bad input came from (``json``, ``query``, ``files``...);
    ``None`` when the errors are already keyed by location or need none.
    """

    def __init__(
        self,
        errors: Mapping[str | int, object],
        detail: str = "",
        location: str | None = "json",
    ) -> None:
        super().__init__(detail or "The request is not valid: see errors.")
        self.errors = errors
        self.location = location

    def field_errors(self) -> dict[str, object] | None:
        """The errors keyed by location, or None when there are none."""
        if not self.errors:
            return None
        if self.location is None:
            return {str(k): v for k, v in self.errors.items()}
        return {self.location: dict(self.errors)}


class Conflict(DomainError):
    """The request contradicts the stored state (e.g. publishing a superseded plan).

    ``extra``: what the caller needs to resolve it (e.g. the plan check's findings),
    answered as extension members of the problem.
    """

    def __init__(self, detail: str, *, extra: Mapping[str, object] | None = None) -> None:
        super().__init__(detail)
        self.extra = dict(extra or {})


class NotAllowed(DomainError):
    """The caller's role may not do this at all (e.g. a collector creating accounts)."""


class Gone(DomainError):
    """What was asked for is no longer kept (e.g. a sync cursor older than the history)."""


class Rejected(DomainError):
    """A money request that cannot be stored; ``code`` is stable, ``detail`` is for people.

    ``conflict`` marks a state conflict (e.g. already reversed) rather than a bad request.
    The answer never echoes a stored record.
    """

    def __init__(self, code: str, detail: str, *, conflict: bool = False) -> None:
        super().__init__(detail)
        self.code = code
        self.conflict = conflict


class Busy(DomainError):
    """The service is saturated for this kind of work (e.g. password hashing); the client
    may retry after ``retry_after`` seconds."""

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
