"""A closed station keeps its history and money but takes no new work."""

from __future__ import annotations

from core.errors import Conflict
from core.models import Station


def require_open(station: Station) -> None:
    """Refuse (:class:`Conflict`) new work (plans, accounts, imports) for a closed station."""
    if station.closed_at is not None:
        raise Conflict(f"Station {station.code} is closed.")
