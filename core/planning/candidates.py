"""What the planner reads from the database: arrears, visit history, promises, collectors.

Set-based queries only (one round trip each), so a station of 30,000 accounts stays cheap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVarTuple
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import Row, Select, and_, case, extract, func, select
from sqlalchemy.orm import Session

from core.models import (
    Account,
    Category,
    CollectorProfile,
    EntryKind,
    LocationQuality,
    Outcome,
    Payment,
    Role,
    Station,
    User,
    Visit,
    territory_collector,
    user_station,
)
from core.models.bills import BillBalance
from core.models.ledger_extra import QuarantinedPayment
from core.money.due_sql import bills_due
from core.money.fees import CLASSIC_RATES, LateFeeRates, RateSchedule, late_fee
from core.money.quarantine import current_account_id
from core.planning.calendar import StationCalendar
from core.planning.visit_value import BANDS, History, band_of
from core.sql_ids import among

_NOT_HOME = (Outcome.NOBODY_HOME, Outcome.MOVED, Outcome.WRONG_LOCATION)
_PAID = (Outcome.PAID, Outcome.PARTIAL)
#: Days of visits read for return days (a festival comes once a year).
RETURN_DAYS = 400


_Ts = TypeVarTuple("_Ts")


def _rows(session: Session, stmt: Select[*_Ts]) -> Sequence[Row[*_Ts]]:
    """The rows of a select of columns in the session's transaction, without the ORM's
    per-row loading (thousands of rows per gather), fetched at once (the driver converts
    them in one call, not one call per row); flushed first when the session would
    autoflush, as ``session.execute`` does."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(stmt).all()


@dataclass(frozen=True)
class Due:
    """An account's overdue principal and the late fee on it as of one day."""

    principal: Decimal
    late_fee: Decimal
    oldest_due: dt.date
    bills: int

    @property
    def total(self) -> Decimal:
        return self.principal + self.late_fee


def outstanding_principal_by_bill(
    session: Session,
    as_of: dt.date,
    *,
    station_id: int | None = None,
    account_ids: Sequence[int] | None = None,
) -> list[tuple[int, Category, dt.date, Decimal]]:
    """Overdue bills with principal left: ``(account_id, category, due_date, outstanding)``.

    The overdue lines of ``core.money.amount_due`` for many accounts at once (its
    set-based form :func:`core.money.due_sql.bills_due`): bills due before ``as_of``.
    """
    lines = bills_due(as_of, station_id=station_id, account_ids=account_ids, late_fees=False)
    stmt = select(lines.c.account_id, lines.c.category, lines.c.due_date, lines.c.principal).where(
        lines.c.days_overdue > 0
    )
    return [(a, Category(c), d, Decimal(o)) for a, c, d, o in _rows(session, stmt)]


def amounts_due(
    session: Session,
    as_of: dt.date,
    *,
    station_id: int | None = None,
    account_ids: Sequence[int] | None = None,
    rates: LateFeeRates | RateSchedule = CLASSIC_RATES,
) -> dict[int, Due]:
    """Per account with arrears: overdue principal plus the late fee if paid on ``as_of``.

    An estimate for valuing visits: fees already paid and the fee accrued on parts paid
    late are left out (the phone shows ``core.money.amount_due``, the exact figure).
    ``rates``: the station's versions (``core.money.rates.rate_schedule``: each day of
    lateness at its own day's rates, the rule of ``amount_due``), or one set for all days.
    """
    rows = outstanding_principal_by_bill(
        session, as_of, station_id=station_id, account_ids=account_ids
    )
    # Per account: principal, late fee, oldest due date and bills, summed in the rows'
    # order (plain tuples: a Due is made once per account, not once per bill).
    sums: dict[int, tuple[Decimal, Decimal, dt.date, int]] = {}
    for account_id, category, due, principal in rows:
        fee = late_fee(
            principal, due, as_of, residential=category is Category.RESIDENTIAL, rates=rates
        )
        prev = sums.get(account_id)
        sums[account_id] = (
            (principal, fee, due, 1)
            if prev is None
            else (prev[0] + principal, prev[1] + fee, min(prev[2], due), prev[3] + 1)
        )
    return {a: Due(*t) for a, t in sums.items()}


def visit_histories(
    session: Session,
    account_ids: list[int],
    before: dt.date,
    tz: str,
    days: int = 180,
    *,
    calendar: StationCalendar | None = None,
    villages: Mapping[int, str] | None = None,
) -> dict[int, History]:
    """Visit counts per account, time band (station-local hours) and kind of day, in the
    ``days`` before ``before`` (habits change; old receipts would outweigh recent
    failures). Visits on the ``calendar``'s return days are counted apart, over
    :data:`RETURN_DAYS` (festivals come once a year); those on the market days of the
    account's village (``villages``) too, per band; ordinary days also per weekday.

    Only recorded visits count: a planned stop with no visit by the day's end is unknown,
    neither home nor away (the phone records "nobody home" with one tap).
    """
    local = func.timezone(tz, Visit.device_time)
    hour = extract("hour", local)
    home = case((Visit.outcome.in_(_NOT_HOME), 0), else_=1)
    paid = case((Visit.outcome.in_(_PAID), 1), else_=0)
    window = max(days, RETURN_DAYS) if calendar is not None else days
    stmt = (
        select(
            Visit.account_id,
            func.date(local),
            hour,
            func.count(),
            func.sum(home),
            func.sum(paid),
        )
        .where(
            among(Visit.account_id, account_ids),
            func.date(local) < before,
            func.date(local) >= before - dt.timedelta(days=window),
        )
        .group_by(Visit.account_id, func.date(local), hour)
    )
    recent = before - dt.timedelta(days=days)
    out: dict[int, History] = defaultdict(History)
    for account_id, day, h, n, n_home, n_paid in _rows(session, stmt):
        band = band_of(int(h))
        if band is None:  # an evening or dawn visit: count it in the nearest band
            band = 0 if int(h) < BANDS[0][0] else len(BANDS) - 1
        n, n_home, n_paid = int(n), int(n_home), int(n_paid)
        hist = out[account_id]
        ctx = None
        if calendar is not None:
            ctx = calendar.context(day, (villages or {}).get(account_id, ""))
        if ctx is not None and ctx.returning:
            hist.return_visits += n
            hist.return_home += n_home
        elif day < recent:
            continue
        elif ctx is not None and ctx.market:
            hist.market_visits_by_band[band] += n
            hist.market_home_by_band[band] += n_home
        else:
            hist.visits_by_band[band] += n
            hist.home_by_band[band] += n_home
            hist.weekday_visits[day.isoweekday() - 1] += n
            hist.weekday_home[day.isoweekday() - 1] += n_home
        if day >= recent:
            hist.pay_trials += n_home
            hist.pay_successes += n_paid
    return dict(out)


def payment_records(
    session: Session, account_ids: Sequence[int], as_of: dt.date, days: int = 365
) -> dict[int, tuple[int, int, int, int]]:
    """Per account, over the bills that fell due in the ``days`` before ``as_of``: how
    many, how many are fully paid now (outstanding principal <= 0, any channel), how many
    were settled after their due date with no payment taken at the door, and the days
    they spent overdue (until settled, or until ``as_of``).

    A bill settled at the door counts its days overdue but no event: the visit, not the
    customer, ended its wait (a censored observation of paying by oneself). One read of
    the bills' maintained rows (:mod:`core.money.balance`): their balance, and when and
    how they were last paid (migration 0036), not their allocations and payments.
    """
    settled = BillBalance.outstanding <= 0
    last_on = func.date(BillBalance.last_paid_at)  # None: nothing allocated
    ended = case((settled, last_on), else_=as_of)
    by_itself = case(
        (and_(settled, last_on > BillBalance.due_date, ~BillBalance.paid_at_door), 1),
        else_=0,
    )
    stmt = (
        select(
            BillBalance.account_id,
            func.count(),
            func.sum(case((settled, 1), else_=0)),
            func.sum(by_itself),
            func.sum(func.greatest(0, ended - BillBalance.due_date)),
        )
        .where(
            among(BillBalance.account_id, account_ids),
            BillBalance.due_date < as_of,
            BillBalance.due_date >= as_of - dt.timedelta(days=days),
        )
        .group_by(BillBalance.account_id)
    )
    return {
        a: (int(n), int(paid or 0), int(k or 0), int(t or 0))
        for a, n, paid, k, t in _rows(session, stmt)
    }


def bill_records(
    session: Session, account_ids: Sequence[int], as_of: dt.date, days: int = 365
) -> dict[int, tuple[int, int]]:
    """Per account: bills that fell due in the ``days`` before ``as_of``, and how many of
    them are fully paid now (:func:`payment_records`)."""
    return {
        a: (n, paid)
        for a, (n, paid, _, _) in payment_records(session, account_ids, as_of, days).items()
    }


def self_payment_records(
    session: Session, account_ids: Sequence[int], as_of: dt.date, days: int = 365
) -> dict[int, tuple[int, int]]:
    """Per account, over bills that fell due in the ``days`` before ``as_of``: how many
    were settled after their due date with no payment taken at the door, and the days
    they spent overdue (:func:`payment_records`)."""
    return {
        a: (k, t) for a, (_, _, k, t) in payment_records(session, account_ids, as_of, days).items()
    }


def promises_due(
    session: Session, account_ids: list[int], day: dt.date, tz: str
) -> dict[int, int | None]:
    """Accounts with a promise to pay on ``day``: account id to the band the promise was made in."""
    local = func.timezone(tz, Visit.device_time)
    stmt = (
        select(Visit.account_id, extract("hour", local))
        .where(
            among(Visit.account_id, account_ids),
            Visit.outcome == Outcome.PROMISE,
            Visit.promise_date == day,
        )
        .order_by(Visit.account_id, Visit.device_time)
    )
    return {a: band_of(int(h)) for a, h in session.execute(stmt)}


def promise_days(
    session: Session, account_ids: list[int], first: dt.date, last: dt.date
) -> dict[int, dt.date]:
    """Accounts with a promise to pay falling due from ``first`` to ``last``: the first day."""
    stmt = (
        select(Visit.account_id, func.min(Visit.promise_date))
        .where(
            among(Visit.account_id, account_ids),
            Visit.outcome == Outcome.PROMISE,
            Visit.promise_date >= first,
            Visit.promise_date <= last,
        )
        .group_by(Visit.account_id)
    )
    return {a: d for a, d in session.execute(stmt) if d is not None}


def last_contacts(session: Session, account_ids: list[int], before: dt.date) -> dict[int, dt.date]:
    """Per account: the last day before ``before`` a visit reached the customer or the
    account paid anything (what interrupts the limitation period, ``core.planning.priority``)."""
    visits = select(
        Visit.account_id.label("account_id"), func.date(Visit.device_time).label("day")
    ).where(among(Visit.account_id, account_ids), Visit.outcome.not_in(_NOT_HOME))
    payments = select(
        Payment.account_id.label("account_id"), func.date(Payment.collected_at).label("day")
    ).where(among(Payment.account_id, account_ids), Payment.kind == EntryKind.PAYMENT)
    both = visits.union_all(payments).subquery()
    stmt = (
        select(both.c.account_id, func.max(both.c.day))
        .where(both.c.day < before)
        .group_by(both.c.account_id)
    )
    return {a: d for a, d in _rows(session, stmt)}


def payments_pending(session: Session, account_ids: list[int]) -> set[int]:
    """Accounts with money taken at the door that awaits a supervisor's review (held in
    quarantine, not yet released into the ledger): visiting them again would ask twice."""
    account_id = current_account_id()  # as sent, or as a supervisor re-targeted it
    stmt = select(account_id).where(
        among(account_id, account_ids),
        ~select(Payment.id).where(Payment.id == QuarantinedPayment.id).exists(),
    )
    return set(session.scalars(stmt))


@dataclass(frozen=True)
class Collector:
    """A collector's day parameters as the planner needs them."""

    id: int
    name: str
    profile: CollectorProfile | None
    home: tuple[float, float] | None


def station_collectors(session: Session, station_id: int, ids: list[int] | None) -> list[Collector]:
    """Active collectors of the station (optionally only ``ids``), by id."""
    stmt = (
        select(User)
        .join(user_station, user_station.c.user_id == User.id)
        .where(
            user_station.c.station_id == station_id,
            User.role == Role.COLLECTOR,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    if ids is not None:
        stmt = stmt.where(User.id.in_(ids))
    out = []
    for user in session.scalars(stmt):
        prof = user.profile
        home = None
        if prof is not None and prof.home is not None:
            p = to_shape(prof.home)
            home = (float(p.x), float(p.y))
        out.append(Collector(user.id, user.display_name, prof, home))
    return out


@dataclass(frozen=True)
class AccountInfo:
    """An account with arrears, where it is and who may visit it."""

    id: int
    lonlat: tuple[float, float]
    village: str
    category: Category
    territory_id: int | None
    collectors: frozenset[int]
    #: The collector answerable for the account (户户有人负责), if any.
    responsible: int | None = None
    #: A phone number is on file: the account can be called ahead.
    phone: bool = False
    #: The point is the village's (``LocationQuality.APPROXIMATE``): the house must be found.
    approximate: bool = False


def accounts_of_collectors(
    session: Session, station_id: int, collector_ids: Collection[int]
) -> list[int]:
    """Accounts of the station in a territory assigned to any of ``collector_ids``."""
    stmt = (
        select(Account.id)
        .join(territory_collector, territory_collector.c.territory_id == Account.territory_id)
        .where(
            Account.station_id == station_id,
            territory_collector.c.user_id.in_(list(collector_ids)),
        )
        .distinct()
    )
    return list(session.scalars(stmt))


def accounts_with_collectors(session: Session, account_ids: list[int]) -> list[AccountInfo]:
    """Location, group and the collectors assigned to each account's territory."""
    tc = (
        select(
            territory_collector.c.territory_id,
            func.array_agg(territory_collector.c.user_id).label("users"),
        )
        .group_by(territory_collector.c.territory_id)
        .subquery()
    )
    stmt = (
        select(
            Account.id,
            func.ST_X(Account.location),
            func.ST_Y(Account.location),
            Account.village,
            Account.category,
            Account.territory_id,
            tc.c.users,
            Account.responsible_id,
            Account.phone.is_not(None),
            Account.location_quality == LocationQuality.APPROXIMATE,
        )
        .outerjoin(tc, and_(tc.c.territory_id == Account.territory_id))
        .where(among(Account.id, account_ids))
        .order_by(Account.id)
    )
    return [
        AccountInfo(
            a, (float(x), float(y)), v, Category(c), t, frozenset(users or ()), r, ph, bool(ap)
        )
        for a, x, y, v, c, t, users, r, ph, ap in _rows(session, stmt)
    ]


def station_info(
    session: Session, station_id: int
) -> tuple[Station, tuple[float, float], ZoneInfo]:
    """The station, its depot as ``(lon, lat)`` and its time zone."""
    station = session.get(Station, station_id)
    if station is None:
        raise LookupError(f"no station {station_id}")
    p = to_shape(station.depot)
    return station, (float(p.x), float(p.y)), ZoneInfo(station.timezone)
