"""Workload per collector and a balanced-territory proposal. Take a Session; no Flask."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shapely import wkb
from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from core.models import Account, User
from core.money.arrears import account_arrears_subquery
from core.scope import Scope, restrict
from geo.balance import BalancedTerritory, Site, balance
from geo.workload import (
    WEIGHT_CAP,
    Footprint,
    VisitModel,
    arrears_weights,
    hull_footprint,
    visit_hours,
)

__all__ = ["CollectorWorkload", "propose_territories", "workloads"]


@dataclass(frozen=True)
class CollectorWorkload:
    """One collector's (or nobody's: ``collector_id`` None) share of the station."""

    collector_id: int | None
    display_name: str | None
    accounts: int
    delinquent: int
    arrears: Decimal
    visit_hours: float
    spread_km: float


@dataclass(frozen=True)
class _Row:
    account_id: int
    responsible_id: int | None
    lon: float
    lat: float
    arrears: Decimal


def _rows(session: Session, scope: Scope, station_id: int, as_of: dt.date | None) -> list[_Row]:
    """The station's accounts in scope that owe something, with position and arrears."""
    arrears = account_arrears_subquery(as_of, station_id=station_id, scope=scope)
    stmt = restrict(
        select(
            Account.id,
            Account.responsible_id,
            func.ST_X(Account.location),
            func.ST_Y(Account.location),
            arrears.c.arrears,
        ).join(arrears, arrears.c.account_id == Account.id),
        Account,
        scope,
    ).where(Account.station_id == station_id, arrears.c.arrears > 0)
    return [_Row(*r) for r in session.execute(stmt)]


def _per_collector(
    session: Session, scope: Scope, station_id: int, as_of: dt.date | None
) -> dict[int | None, tuple[int, int, Decimal, float, Footprint]]:
    """Per responsible collector, over the station's accounts in scope: how many, and over
    those that owe something: how many, their arrears, their visits weighted by arrears
    (:func:`geo.workload.arrears_weights` over the whole station) and their footprint.
    One statement, summed in the database: a station's tens of thousands of accounts
    never cross the wire, and are read once (their arrears from the maintained sums,
    ``account_balance``; the mean arrears once, not as a window over every row)."""
    arrears = account_arrears_subquery(as_of, station_id=station_id, scope=scope)
    owed = select(arrears.c.account_id, arrears.c.arrears).where(arrears.c.arrears > 0).cte("owed")
    mean = cast(select(func.avg(cast(owed.c.arrears, Float))).scalar_subquery(), Float)
    owing = owed.c.account_id.is_not(None)
    # arrears_weights: 0.5 + 0.5 x arrears / the mean arrears, capped; in floats as
    # there (numeric division, as the untyped mean made it, cost ~35 ms on 50,000 rows)
    weight = func.least(WEIGHT_CAP, 0.5 + 0.5 * cast(owed.c.arrears, Float) / mean)
    stmt = (
        restrict(
            select(
                Account.responsible_id,
                func.count(),
                func.count(owed.c.account_id),
                func.sum(owed.c.arrears),
                func.sum(weight).filter(owing),  # LEAST ignores the NULL of one owing nothing
                func.avg(func.ST_Y(Account.location)).filter(owing),
                # The points gathered into an array first, then one collection: the
                # ST_Collect aggregate cost ~10 ms more on 50,000 points, same hull.
                func.ST_AsBinary(
                    func.ST_ConvexHull(
                        func.ST_Collect(func.array_agg(Account.location).filter(owing))
                    )
                ),
            ).outerjoin(owed, owed.c.account_id == Account.id),
            Account,
            scope,
        )
        .where(Account.station_id == station_id)
        .group_by(Account.responsible_id)
    )
    out = {}
    for collector_id, accounts, n, total, weights, lat0, hull in session.execute(stmt):
        shape = Footprint(0.0, 0.0)
        if n:
            points = wkb.loads(bytes(hull))
            shape = hull_footprint(getattr(points, "exterior", points).coords, float(lat0))
        out[collector_id] = (
            int(accounts),
            int(n),
            total if n else Decimal("0"),
            float(weights or 0.0),
            shape,
        )
    return out


def workloads(
    session: Session,
    scope: Scope,
    station_id: int,
    as_of: dt.date | None,
    model: VisitModel = VisitModel(),
) -> list[CollectorWorkload]:
    """Per responsible collector: accounts, arrears, estimated visit hours and spread."""
    per = _per_collector(session, scope, station_id, as_of)
    names = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_([k for k in per if k]))
        ).all()
    )
    out = []
    for collector_id in sorted(per, key=lambda c: (c is None, c or 0)):
        accounts, n, arrears, weight, shape = per[collector_id]
        out.append(
            CollectorWorkload(
                collector_id=collector_id,
                display_name=names.get(collector_id) if collector_id else None,
                accounts=accounts,
                delinquent=n,
                arrears=arrears,
                visit_hours=round(visit_hours(weight, n, shape.area_km2, model), 2),
                spread_km=round(shape.spread_km, 2),
            )
        )
    return out


@dataclass(frozen=True)
class Proposal:
    territories: list[BalancedTerritory]
    arrears: list[Decimal]


def propose_territories(
    session: Session,
    scope: Scope,
    station_id: int,
    k: int,
    as_of: dt.date | None,
    model: VisitModel = VisitModel(),
) -> Proposal:
    """``k`` contiguous rectangles over the delinquent accounts with balanced estimated hours."""
    rows = _rows(session, scope, station_id, as_of)
    weights = arrears_weights([float(r.arrears) for r in rows])
    sites = [Site(r.account_id, r.lon, r.lat, w) for r, w in zip(rows, weights, strict=True)]
    territories = balance(sites, k, model)
    by_id = {r.account_id: r.arrears for r in rows}
    totals = [sum((by_id[i] for i in t.account_ids), Decimal("0")) for t in territories]
    return Proposal(territories, totals)


def proposal_geojson(proposal: Proposal) -> dict[str, Any]:
    """The proposal as an RFC 7946 FeatureCollection of Polygons."""
    features = []
    for n, (t, arrears) in enumerate(
        zip(proposal.territories, proposal.arrears, strict=True), start=1
    ):
        w, s, e, north = t.bounds
        features.append(
            {
                "type": "Feature",
                "id": n,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, north], [w, north], [w, s]]],
                },
                "properties": {
                    "accounts": len(t.account_ids),
                    "arrears": f"{arrears:.2f}",
                    "visit_hours": round(t.hours, 2),
                    "weighted_visits": round(t.weight, 2),
                },
            }
        )
    hours = [t.hours for t in proposal.territories]
    return {
        "type": "FeatureCollection",
        "features": features,
        "max_min_ratio": round(max(hours) / min(hours), 3) if hours and min(hours) > 0 else None,
    }
