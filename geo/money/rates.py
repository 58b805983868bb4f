"""Versioned late-fee rates: a station's own version if it has one, else the national one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.fees import CLASSIC_RATES, LateFeeRates
from geo.models.ledger_extra import LateFeeRate


def rates_for(session: Session, station_id: int, as_of: dt.date) -> LateFeeRates:
    """The rates in force at ``station_id`` on ``as_of``.

    A station's own version wins over a national one (``station_id`` NULL); among
    versions of one kind the latest ``effective_from`` not after ``as_of`` wins.
    With no version at all, the classic national rates apply.
    """
    row = session.scalars(
        select(LateFeeRate)
        .where(
            (LateFeeRate.station_id == station_id) | LateFeeRate.station_id.is_(None),
            LateFeeRate.effective_from <= as_of,
        )
        .order_by(LateFeeRate.station_id.is_(None), LateFeeRate.effective_from.desc())
        .limit(1)
    ).first()
    if row is None:
        return CLASSIC_RATES
    return LateFeeRates(
        residential=row.residential,
        other_current_year=row.other_current_year,
        other_earlier_years=row.other_earlier_years,
        minimum=row.minimum,
    )
