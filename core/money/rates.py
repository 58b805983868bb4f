"""Versioned late-fee rates: a station's own version if it has one, else the national one;
adding a version (never retroactive)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.models import Station
from core.models.ledger_extra import LateFeeRate
from core.money.fees import LateFeeRates, RateSchedule
from core.money.records import audit_rate
from core.scope import Scope, require_staff


def rate_schedule(session: Session, station_id: int) -> RateSchedule:
    """Every version that is ever in force at ``station_id``, by its first day.

    On a day, a station's own version wins over a national one (``station_id`` NULL),
    even an older one; among versions of one kind the latest ``effective_from`` not
    after that day wins. Before any version, the classic national rates apply.
    """
    rows = session.scalars(
        select(LateFeeRate)
        .where((LateFeeRate.station_id == station_id) | LateFeeRate.station_id.is_(None))
        .order_by(LateFeeRate.effective_from)
    ).all()
    own = [r for r in rows if r.station_id is not None]
    first_own = own[0].effective_from if own else dt.date.max
    in_force = [r for r in rows if r.station_id is not None or r.effective_from < first_own]
    return RateSchedule(
        tuple(
            (
                r.effective_from,
                LateFeeRates(
                    residential=r.residential,
                    other_current_year=r.other_current_year,
                    other_earlier_years=r.other_earlier_years,
                    minimum=r.minimum,
                ),
            )
            for r in in_force
        )
    )


def rates_for(session: Session, station_id: int, as_of: dt.date) -> LateFeeRates:
    """The rates in force at ``station_id`` on ``as_of`` (see :func:`rate_schedule`)."""
    return rate_schedule(session, station_id).on(as_of)


def rate_versions(session: Session, scope: Scope, station_id: int | None) -> list[LateFeeRate]:
    """National versions and, for a station in scope, that station's own ones."""
    stmt = select(LateFeeRate).where(LateFeeRate.station_id.is_(None))
    if station_id is not None and (scope.is_admin or station_id in scope.station_ids):
        stmt = select(LateFeeRate).where(
            LateFeeRate.station_id.is_(None) | (LateFeeRate.station_id == station_id)
        )
    order = (LateFeeRate.station_id.nulls_first(), LateFeeRate.effective_from)
    return list(session.scalars(stmt.order_by(*order)))


def add_rate_version(session: Session, scope: Scope, values: Mapping[str, Any]) -> LateFeeRate:
    """Add a rate version from a future date (supervisors: their station; admins: any).

    Never retroactive: amounts already due stay put. The caller commits.
    """
    require_staff(scope)
    station_id = values["station_id"]
    if station_id is None and not scope.is_admin:
        raise NotAllowed("Only admins change the national rates.")
    if station_id is not None and not (scope.is_admin or station_id in scope.station_ids):
        raise NotFound("station")
    station = session.get(Station, station_id) if station_id is not None else None
    if station_id is not None and station is None:
        raise NotFound("station")
    today = dt.datetime.now(ZoneInfo(station.timezone if station else "Asia/Shanghai")).date()
    if values["effective_from"] <= today:
        raise Invalid(
            {"effective_from": ["Must be after today."]},
            "A rate version takes effect from a future date: amounts already due stay put.",
        )
    rate = LateFeeRate(**values)
    try:
        with session.begin_nested():
            session.add(rate)
    except IntegrityError:
        raise Conflict("A version with this start date already exists.") from None
    audit_rate(session, rate, scope.user_id)
    return rate
