"""Versioned late-fee rates: a station's own version if it has one, else the national one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.fees import LateFeeRates, RateSchedule
from geo.models.ledger_extra import LateFeeRate


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
