"""An account's card for a map: what it owes, its last visits, who is responsible and how
far its mapped location can be trusted. No Flask here.

The location check (``location_check``; how the point was obtained is the account's
``location_quality``) is read from the field: the GNSS fixes of visits at the door say where
the house is, and a ``wrong_location`` outcome says the map is wrong.

- ``reported_wrong``: the latest visit that says anything about the location reported it
  wrong (no confirming fix since);
- ``confirmed``: a visit's fix lies within :data:`CONFIRM_RADIUS_M` of the mapped point;
- ``fix_far``: visits carried fixes, all of them farther than that;
- ``unconfirmed``: no visit has said anything about the location yet.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from geoalchemy2 import Geography
from sqlalchemy import cast, func, select
from sqlalchemy.orm import Session

from core.accounts.customers import account_row
from core.models import Account, Outcome, Station, User, Visit
from core.money import AmountDue, amount_due
from core.scope import Scope

__all__ = ["CONFIRM_RADIUS_M", "AccountCard", "LocationCheck", "VisitLine", "account_card"]

#: A visit's fix this close to the mapped point confirms it (metres; phone GNSS outdoors).
CONFIRM_RADIUS_M = 60.0
#: How many of the latest visits a card lists.
CARD_VISITS = 5


class LocationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    FIX_FAR = "fix_far"
    REPORTED_WRONG = "reported_wrong"
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class LocationCheck:
    status: LocationStatus
    fixes: int
    nearest_fix_m: float | None


@dataclass(frozen=True)
class VisitLine:
    id: uuid.UUID
    at: dt.datetime
    outcome: Outcome
    collector_id: int
    collector_name: str
    promise_date: dt.date | None
    fix_distance_m: float | None


@dataclass(frozen=True)
class AccountCard:
    account: Account
    due: AmountDue
    responsible_name: str | None
    visits: list[VisitLine]
    location: LocationCheck


#: Read with the account (and its arrears, as the account list shows them): its station's
#: time zone and its responsible collector's name.
_CARD_COLUMNS = (
    select(Station.timezone)
    .where(Station.id == Account.station_id)
    .scalar_subquery()
    .label("timezone"),
    select(User.display_name)
    .where(User.id == Account.responsible_id)
    .scalar_subquery()
    .label("responsible_name"),
)


def account_card(
    session: Session, scope: Scope, account_id: int, as_of: dt.date | None = None
) -> AccountCard:
    """The card of an account in scope (:class:`NotFound` otherwise), owed as of ``as_of``
    (default: today at its station); the account carries its arrears as the account list
    shows them (each station's today)."""
    row = account_row(session, scope, account_id, None, extra=_CARD_COLUMNS)
    account: Account = row[0]
    if as_of is None:
        as_of = dt.datetime.now(ZoneInfo(row.timezone)).date()
    lines = _visits(session, account)
    return AccountCard(
        account=account,
        due=amount_due(session, account.id, as_of),
        responsible_name=row.responsible_name,
        visits=lines[:CARD_VISITS],
        location=_check(lines),
    )


def _visits(session: Session, account: Account) -> list[VisitLine]:
    """Every visit of the account, latest first, with its fix's distance to the map point."""
    distance = func.ST_Distance(cast(Visit.fix, Geography), cast(Account.location, Geography))
    rows = session.execute(
        select(Visit, User.display_name, distance.label("d"))
        .join(User, User.id == Visit.collector_id)
        .join(Account, Account.id == Visit.account_id)
        .where(Visit.account_id == account.id)
        .order_by(Visit.device_time.desc(), Visit.id)
    ).all()
    return [
        VisitLine(
            id=v.id,
            at=v.device_time,
            outcome=v.outcome,
            collector_id=v.collector_id,
            collector_name=name,
            promise_date=v.promise_date,
            fix_distance_m=None if d is None else round(float(d), 1),
        )
        for v, name, d in rows
    ]


def _check(lines: list[VisitLine]) -> LocationCheck:
    """The location's status from the visits (latest first); see the module docstring."""
    fixes = [v.fix_distance_m for v in lines if v.fix_distance_m is not None]
    nearest = min(fixes) if fixes else None
    status = LocationStatus.UNCONFIRMED
    for v in lines:  # the latest visit that says something about the location decides
        if v.outcome is Outcome.WRONG_LOCATION:
            status = LocationStatus.REPORTED_WRONG
            break
        if v.fix_distance_m is not None and v.fix_distance_m <= CONFIRM_RADIUS_M:
            status = LocationStatus.CONFIRMED
            break
    else:
        if fixes:
            status = LocationStatus.FIX_FAR
    return LocationCheck(status=status, fixes=len(fixes), nearest_fix_m=nearest)
