"""The one exception the library raises for bad input."""

from __future__ import annotations

__all__ = ["ProblemError"]


class ProblemError(ValueError):
    """A problem (or its JSON form) that cannot be solved as given.

    Parameters
    ----------
    field
        Path of the offending field, e.g. ``stops[3].time_windows[0]``.
    message
        What is wrong with it, e.g. ``end 100 before start 200``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    def __reduce__(self) -> tuple[type[ProblemError], tuple[str, str]]:
        return (ProblemError, (self.field, self.message))
