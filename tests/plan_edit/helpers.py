"""Edit bodies from plan JSON, and a territory shared by both collectors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from geo.models import Territory
from tests.plans.helpers import Day


def route_of(plan: dict[str, Any], collector_id: int) -> dict[str, Any]:
    return next(r for r in plan["routes"] if r["collector_id"] == collector_id)


def stops_of(plan: dict[str, Any], collector_id: int) -> list[int]:
    return [s["account_id"] for s in route_of(plan, collector_id)["stops"]]


def body(collector_id: int, accounts: list[int], locked: set[int] = frozenset()) -> dict[str, Any]:
    return {
        "collector_id": collector_id,
        "stops": [{"account_id": a, "locked": a in locked} for a in accounts],
    }


def share_west_with_east(session: Any, day: Day) -> None:
    """The east collector may also visit the west territory."""
    west = session.scalars(
        select(Territory).where(Territory.station_id == day.station.id, Territory.name == "西片")
    ).one()
    west.collectors.append(day.east)
    session.flush()
