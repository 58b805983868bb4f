"""Edit bodies from plan JSON, a territory shared by both collectors, re-optimise jobs."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from core.models import Territory
from core.planning.runner import run_plan_job
from tests.support.plans import FAST, Day


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


def reoptimise(client: Any, plan_id: int, headers: Any, **body: Any) -> Any:
    """POST a re-optimise; checks the 202 job answer and its Location."""
    resp = client.post(
        f"/api/plans/{plan_id}/reoptimise", json={"time_limit": 1, **body}, headers=headers
    )
    assert resp.status_code == 202, resp.json
    assert resp.headers["Location"] == f"/api/jobs/{resp.json['id']}"
    assert resp.json["status"] == "queued" and resp.json["kind"] == "plan"
    assert resp.json["request"]["reoptimise_from"] == plan_id
    return resp


def run_job(app: Any, job_id: str) -> str:
    """Run a queued job in-process, as the worker would."""
    return run_plan_job(app.extensions["db_sessionmaker"], uuid.UUID(job_id), FAST)
