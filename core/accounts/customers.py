"""Customer accounts: create, update, filtered listing; the role and station checks the
account services share. Take a Session."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from geoalchemy2 import Geography
from geoalchemy2.elements import WKTElement
from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    Row,
    Select,
    any_,
    bindparam,
    cast,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from core.accounts import responsibility
from core.accounts.areas import covering_territory
from core.errors import Invalid, NotAllowed, NotFound
from core.models import Account, AccountBalance, LocationQuality, Role, Station
from core.money.arrears import account_arrears_parts, account_arrears_subquery, read_by_bills
from core.scope import Scope, get_scoped, restrict, visible
from core.stations.area import station_implausibility
from core.stations.open import require_open
from geo.coords import CoordSystem, to_wgs84

__all__ = [
    "AccountFilters",
    "AccountSort",
    "account_row",
    "attach_arrears",
    "create_account",
    "get_account_with_arrears",
    "local_today",
    "owes_something",
    "OwingPage",
    "owing_page_query",
    "resolve_point",
    "top_arrears_query",
    "update_account",
]

#: Business-day timezone when no station is at hand (filters across stations).
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: Largest PostgreSQL ``integer``: ids in paths above it cannot exist.
MAX_ID = 2**31 - 1
_EDITABLE = ("number", "name", "address", "phone", "village", "category", "group_code", "notes")


def local_today(station: Station) -> dt.date:
    """The station's business day (its local date)."""
    return dt.datetime.now(ZoneInfo(station.timezone or "Asia/Shanghai")).date()


def point_wkt(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)


def resolve_point(
    station: Station, lon: float, lat: float, system: CoordSystem | str, field: str = "location"
) -> tuple[float, float]:
    """The WGS-84 position of a declared point, refused when implausible for ``station``."""
    wgs = to_wgs84(lon, lat, system)
    reason = station_implausibility(station, wgs)
    if reason:
        raise Invalid({field: [reason]})
    return wgs


def require_manager(scope: Scope) -> None:
    if scope.role not in (Role.ADMIN, Role.SUPERVISOR):
        raise NotAllowed("Only supervisors and admins manage accounts.")


def scoped_station(session: Session, scope: Scope, station_id: int | None) -> Station:
    """The station an object is created in: given, or the caller's only station."""
    if station_id is None:
        if len(scope.station_ids) != 1:
            raise Invalid({"station_id": ["Missing data for required field."]})
        station_id = next(iter(scope.station_ids))
    station = get_scoped(session, Station, station_id, scope)
    if station is None:
        raise Invalid({"station_id": ["No such station."]})
    return station


def territory_covering(session: Session, station_id: int, lon: float, lat: float) -> int | None:
    """The station's territory covering the point (lowest id when several overlap)."""
    territory_id: int | None = session.scalar(
        select(covering_territory(station_id, point_wkt(lon, lat)))
    )
    return territory_id


#: The one answer when a number is taken, wherever: numbers are unique across the county,
#: and the answer never says which station (or account) holds it.
NUMBER_IN_USE = "This account number is already in use."


def _number_taken(session: Session, number: str, except_id: int | None = None) -> bool:
    stmt = select(Account.id).where(Account.number == number)
    if except_id is not None:
        stmt = stmt.where(Account.id != except_id)
    return session.scalars(stmt).first() is not None


def create_account(session: Session, scope: Scope, data: dict[str, Any]) -> Account:
    """Create an account located in WGS-84 with its territory and responsible collector."""
    require_manager(scope)
    station = scoped_station(session, scope, data.get("station_id"))
    require_open(station)
    loc = data["location"]
    lon, lat = resolve_point(station, loc["lon"], loc["lat"], loc["system"])
    if _number_taken(session, data["number"]):
        raise Invalid({"number": [NUMBER_IN_USE]})
    account = Account(
        station_id=station.id,
        location=point_wkt(lon, lat),
        territory_id=territory_covering(session, station.id, lon, lat),
        **{k: data.get(k) for k in _EDITABLE if k in data},
    )
    session.add(account)
    session.flush()
    collector_id = data.get("responsible_id")
    if collector_id is not None:
        responsibility.check_collector(session, collector_id, station.id, "responsible_id")
        responsibility.reassign(
            session, [account.id], collector_id, local_today(station), scope.user_id
        )
    return account


def update_account(
    session: Session, scope: Scope, account: Account, data: dict[str, Any]
) -> Account:
    """Apply a partial update; moving the point recomputes the territory."""
    require_manager(scope)
    station = session.get_one(Station, account.station_id)
    if "number" in data and _number_taken(session, data["number"], account.id):
        raise Invalid({"number": [NUMBER_IN_USE]})
    for key in _EDITABLE:
        if key in data:
            setattr(account, key, data[key])
    if "location" in data:
        loc = data["location"]
        lon, lat = resolve_point(station, loc["lon"], loc["lat"], loc["system"])
        account.location = point_wkt(lon, lat)  # type: ignore[assignment]
        account.location_quality = LocationQuality.EXACT  # a point set by hand
        account.territory_id = territory_covering(session, station.id, lon, lat)
    session.flush()
    if data.get("responsible_id") is not None and data["responsible_id"] != account.responsible_id:
        responsibility.check_collector(
            session, data["responsible_id"], station.id, "responsible_id"
        )
        responsibility.reassign(
            session, [account.id], data["responsible_id"], local_today(station), scope.user_id
        )
        session.refresh(account)
    return account


class AccountSort(enum.StrEnum):
    """Orders of the account list (``-``: largest first); ties are broken by id."""

    ID = "id"
    ARREARS_DESC = "-arrears"
    ARREARS = "arrears"
    DAYS_OVERDUE_DESC = "-days_overdue"
    DAYS_OVERDUE = "days_overdue"
    DISTANCE = "distance"

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


@dataclass(frozen=True)
class AccountFilters:
    """Filters of the account list, and its order; every field optional."""

    station_id: int | None = None
    territory_id: int | None = None
    in_territory: bool | None = None
    responsible_id: int | None = None
    village: str | None = None
    category: str | None = None
    arrears_min: Decimal | None = None
    arrears_max: Decimal | None = None
    overdue_days_min: int | None = None
    as_of: dt.date | None = None
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None  # lon, lat, radius in metres
    q: str | None = None
    #: Default: by distance with ``near``, else by id.
    sort: AccountSort | None = None

    @property
    def order(self) -> AccountSort:
        if self.sort is not None:
            return self.sort
        return AccountSort.DISTANCE if self.near is not None else AccountSort.ID


def escape_like(text: str) -> str:
    """``text`` with LIKE wildcards escaped (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def accounts_query(scope: Scope, f: AccountFilters) -> Select[Any]:
    """The scoped, filtered SELECT of accounts with two more columns: ``sort_value`` (what
    ``f.order`` orders by; paging by ``(sort_value, id)`` is left to the caller) and
    ``distance_m`` (from the ``near`` point, else NULL)."""
    where, distance = _account_where(scope, f)
    stmt = select(Account).where(*where)
    order = f.order
    value: Any = Account.id
    by_arrears = order not in (AccountSort.ID, AccountSort.DISTANCE)
    if (
        by_arrears
        or f.arrears_min is not None
        or f.arrears_max is not None
        or f.overdue_days_min is not None
    ):
        # The two disjoint parts of account_arrears_subquery joined apart: the settled
        # rows of account_balance as a table (so a page by id probes it account by
        # account, through its key, instead of sorting the station's rows to merge them
        # with the union), the few others from their grouped bills.
        ab = AccountBalance
        settled, by_bills = account_arrears_parts(f.as_of, station_id=f.station_id, scope=scope)
        others = by_bills.subquery("arrears_by_bills")
        stmt = stmt.outerjoin(ab, (ab.account_id == Account.id) & settled.whereclause).outerjoin(
            others, others.c.account_id == Account.id
        )
        amount = func.coalesce(ab.open_principal, others.c.arrears, 0)
        oldest_due = func.coalesce(ab.oldest_open_due, others.c.oldest_due)
        day = f.as_of or dt.datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
        stmt = stmt.where(*_amount_where(f, amount, oldest_due))
        if order in (AccountSort.ARREARS, AccountSort.ARREARS_DESC):
            value = amount
        elif by_arrears:  # days overdue: 0 for an account owing nothing
            value = func.coalesce(literal(day) - oldest_due, 0)
    elif order is AccountSort.DISTANCE:
        value = distance
    return stmt.add_columns(value.label("sort_value"), distance.label("distance_m"))


def owes_something(f: AccountFilters) -> bool:
    """Whether ``f`` keeps only accounts owing something (an account owing nothing has
    arrears 0 and no oldest due date)."""
    return (f.arrears_min is not None and f.arrears_min > 0) or f.overdue_days_min is not None


class OwingPage(NamedTuple):
    """:func:`owing_page_query`'s statement, and whether its first ``n`` rows are the
    page even when it has fewer (``exact``) or only when it has ``n``."""

    stmt: Select[Any]
    exact: bool


def owing_page_query(scope: Scope, f: AccountFilters, after: Any, n: int) -> OwingPage | None:
    """A page of :func:`accounts_query` in ``f.order`` after the cursor ``after`` (an id
    by id, else ``(arrears, id)``) from the accounts owing something: of those whose
    ``account_balance`` row is their arrears only the first ``n`` after the cursor in
    that order (its station's and collector's indexes by open principal or by id), and
    all the few read bill by bill. Its first ``n`` rows in that order
    after ``after`` are the page's whenever it has ``n``: an account it leaves out owes
    nothing or comes after ``n`` of its rows. When no account owing nothing can be on
    the page (``f`` keeps only owing accounts, or an ascending cursor is past arrears 0)
    the page is its first ``n`` rows even when it has fewer (``exact``).

    By arrears ascending from arrears 0 (no cursor, or one at arrears 0, and ``f``
    keeping accounts owing nothing) it also holds the first ``n`` accounts owing
    nothing after the cursor's id, by id, with arrears 0 (:func:`_owing_nothing`: those
    with no open bill, a range of a partial index, and the few read bill by bill that
    owe nothing on the day): they come first, then the owing ones, so its first ``n``
    rows are the page (``exact``).

    None when the order needs the accounts owing nothing by id (without a filter
    keeping owing accounts only) or is another (days overdue, distance)."""
    ab = AccountBalance
    order = f.order
    owing = owes_something(f)
    zero = False  # whether the page starts with accounts owing nothing (arrears 0)
    key: tuple[Any, ...]
    past: list[Any] = []  # the cursor's conditions (the value's alone first, for the index)
    if order is AccountSort.ARREARS_DESC:
        key = (ab.open_principal.desc(), ab.account_id.desc())
        if after is not None:
            past = [ab.open_principal <= after[0], tuple_(ab.open_principal, ab.account_id) < after]
    elif order is AccountSort.ARREARS:
        key = (ab.open_principal, ab.account_id)
        if owing or (after is not None and after[0] > 0):
            owing = True
            if after is not None:
                past = [
                    ab.open_principal >= after[0],
                    tuple_(ab.open_principal, ab.account_id) > after,
                ]
        else:  # from arrears 0: the accounts owing nothing first, by id
            zero = True
    elif order is AccountSort.ID and owing:
        key = (ab.account_id,)
        if after is not None:
            past = [ab.account_id > after]
    else:
        return None
    where, distance = _account_where(scope, f)
    on_account, _ = _account_where(scope, f, balance_copies=True)
    settled, by_bills = account_arrears_parts(f.as_of, station_id=f.station_id, scope=scope)
    top = settled.where(
        ab.open_principal > 0, *_amount_where(f, ab.open_principal, ab.oldest_open_due)
    )
    if on_account:  # filters on the account's own columns (village, area, name...)
        top = top.join(Account, Account.id == ab.account_id).where(*on_account)
    if f.responsible_id is not None:  # the copy, so the collector's index serves it
        top = top.where(ab.responsible_id == f.responsible_id)
    first = top.where(*past).order_by(*key).limit(n).subquery()
    parts: list[Any] = [select(*first.c)]
    if zero:
        # Read once (a CTE), for the owing rows and to leave them out of the zero part.
        others = by_bills.cte("arrears_by_bills")
        parts.append(select(*others.c))
        if f.arrears_max is None or f.arrears_max >= 0:
            parts.insert(0, _owing_nothing(scope, f, on_account, others, after, n))
        owing = True  # the first n of both parts are the page's: exact
    else:
        parts.append(by_bills)
    rows = union_all(*parts).subquery("account_arrears")
    stmt = (
        select(Account)
        .join(rows, rows.c.account_id == Account.id)
        .where(
            *where,
            rows.c.arrears >= 0 if zero else rows.c.arrears > 0,
            *_amount_where(f, rows.c.arrears, rows.c.oldest_due),
        )
    )
    value = Account.id if order is AccountSort.ID else rows.c.arrears
    stmt = stmt.add_columns(value.label("sort_value"), distance.label("distance_m"))
    return OwingPage(stmt, owing)


def _owing_nothing(
    scope: Scope, f: AccountFilters, on_account: list[Any], by_bills: Any, after: Any, n: int
) -> Select[Any]:
    """The accounts in ``scope`` and ``f`` owing nothing on ``f.as_of`` after the cursor
    ``after`` (``(0, id)``; None or a negative value: from the start), as rows
    ``(account_id, arrears, oldest_due)`` with arrears 0: the first ``n`` by id with no
    open bill (a range of the idle rows' partial index, every account having a row) that
    are not among ``by_bills`` (the owing accounts read bill by bill: a payment after the
    day may have closed their bills), and the few with an open bill whose arrears are
    read bill by bill but are not among them (e.g. a bill of a later period only).
    ``on_account``: ``f``'s conditions on the account's own columns (the scope's, the
    station's and the collector's are on the row's copies); the caller applies them all
    again."""
    ab = AccountBalance
    owing = ab.account_id.not_in(select(by_bills.c.account_id))
    past = [ab.account_id > after[1]] if after is not None and after[0] >= 0 else []
    copies: list[Any] = [] if scope.is_admin else [visible(ab, scope)]
    if f.station_id is not None:
        copies.append(ab.station_id == f.station_id)
    if f.responsible_id is not None:
        copies.append(ab.responsible_id == f.responsible_id)
    idle = select(ab.account_id).where(ab.open_bills == 0, *copies, *past, owing)
    if on_account:
        idle = idle.join(Account, Account.id == ab.account_id).where(*on_account)
    unsettled = read_by_bills(f.as_of, station_id=f.station_id, scope=scope)
    ids = union_all(
        idle.order_by(ab.account_id).limit(n),
        select(ab.account_id).where(
            ab.account_id == any_(unsettled), ab.open_bills > 0, *copies, *past, owing
        ),
    ).subquery("owing_nothing")
    return select(
        ids.c.account_id,
        cast(literal(0), ab.open_principal.type).label("arrears"),
        cast(literal(None), Date).label("oldest_due"),
    )


def top_arrears_query(
    scope: Scope, f: AccountFilters, after: tuple[Decimal, int] | None, n: int
) -> Select[Any]:
    """:func:`owing_page_query` ordered by ``-arrears`` (whatever ``f.sort``)."""
    page = owing_page_query(scope, replace(f, sort=AccountSort.ARREARS_DESC), after, n)
    assert page is not None
    return page.stmt


def _amount_where(f: AccountFilters, amount: Any, oldest_due: Any) -> list[Any]:
    """``f``'s conditions on an account's ``amount`` owed and ``oldest_due`` date."""
    where: list[Any] = []
    if f.arrears_min is not None:
        where.append(amount >= f.arrears_min)
    if f.arrears_max is not None:
        where.append(amount <= f.arrears_max)
    if f.overdue_days_min is not None:
        day = f.as_of or dt.datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
        where.append(oldest_due <= day - dt.timedelta(days=f.overdue_days_min))
    return where


def _account_where(
    scope: Scope, f: AccountFilters, balance_copies: bool = False
) -> tuple[list[Any], Any]:
    """The scope's and ``f``'s conditions on the account (not on its arrears), and the
    distance from ``f.near`` (NULL without it). ``balance_copies``: without those on its
    station and collector, which the caller puts on ``account_balance``'s copies (the
    planner would count the same condition twice, and expect too few rows)."""
    where: list[Any] = []
    if not balance_copies:
        where.append(visible(Account, scope))
    if f.station_id is not None and not balance_copies:
        where.append(Account.station_id == f.station_id)
    if f.territory_id is not None:
        where.append(Account.territory_id == f.territory_id)
    if f.in_territory is not None:
        where.append(
            Account.territory_id.is_not(None) if f.in_territory else Account.territory_id.is_(None)
        )
    if f.responsible_id is not None and not balance_copies:
        where.append(Account.responsible_id == f.responsible_id)
    if f.village is not None:
        where.append(Account.village == f.village)
    if f.category is not None:
        where.append(Account.category == f.category)
    if f.bbox is not None:
        where.append(Account.location.intersects(func.ST_MakeEnvelope(*f.bbox, 4326)))
    distance: Any = literal(None)
    if f.near is not None:
        lon, lat, radius = f.near
        distance = func.ST_Distance(
            cast(Account.location, Geography), cast(point_wkt(lon, lat), Geography)
        )
        # A degree box first, so the geometry GiST index does the coarse work.
        d_lat = radius / 111_000.0
        d_lon = radius / (111_000.0 * max(math.cos(math.radians(lat)), 0.01))
        box = func.ST_MakeEnvelope(lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat, 4326)
        where.append(Account.location.intersects(box))
        where.append(
            func.ST_DWithin(
                cast(Account.location, Geography),
                cast(point_wkt(lon, lat), Geography),
                radius,
            )
        )
    if f.q:
        pattern = f"%{escape_like(f.q)}%"
        where.append(
            Account.name.ilike(pattern, escape="\\")
            | Account.number.ilike(pattern, escape="\\")
            | Account.address.ilike(pattern, escape="\\")
        )
    return where, distance


#: A page's account ids, bound when :func:`attach_arrears`'s statement runs.
_PAGE = bindparam("page_account_ids", type_=ARRAY(Integer))


@functools.lru_cache(maxsize=256)
def _page_arrears(as_of: dt.date | None) -> Select[Any]:
    """The arrears of the accounts ``_PAGE`` names: one statement for every page (built
    once: building it took longer than running it)."""
    arrears = account_arrears_subquery(as_of, _PAGE)
    return select(arrears.c.account_id, arrears.c.arrears, arrears.c.oldest_due)


def attach_arrears(
    session: Session, accounts: list[Account], as_of: dt.date | None = None
) -> list[Account]:
    """Set ``arrears``, ``oldest_due`` and ``days_overdue`` (transient attributes) on each
    account (days counted to ``as_of``, else today)."""
    if not accounts:
        return accounts
    rows = session.execute(_page_arrears(as_of), {_PAGE.key: [a.id for a in accounts]}).all()
    by_id = {r.account_id: r for r in rows}
    for account in accounts:
        row = by_id.get(account.id)
        _set_arrears(account, row.arrears if row else None, row.oldest_due if row else None, as_of)
    return accounts


def _set_arrears(
    account: Account, arrears: Decimal | None, oldest_due: dt.date | None, as_of: dt.date | None
) -> None:
    day = as_of or dt.datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
    account.arrears = arrears if arrears is not None else Decimal("0")  # type: ignore[attr-defined]
    account.oldest_due = oldest_due  # type: ignore[attr-defined]
    account.days_overdue = (day - oldest_due).days if oldest_due else 0  # type: ignore[attr-defined]


def get_account_with_arrears(
    session: Session, scope: Scope, account_id: int, as_of: dt.date | None = None
) -> Account:
    """:func:`get_account` and :func:`attach_arrears` in one statement (the account and
    its amounts read together: one round trip, for the phone's account card)."""
    account: Account = account_row(session, scope, account_id, as_of)[0]
    return account


def account_row(
    session: Session,
    scope: Scope,
    account_id: int,
    as_of: dt.date | None = None,
    extra: Sequence[Any] = (),
) -> Row[Any]:
    """The account in scope (:class:`NotFound` otherwise) with its arrears attached as
    :func:`attach_arrears` does, and the ``extra`` columns (scalar subqueries on the
    account), read in one statement: the row ``(account, arrears, oldest_due, *extra)``."""
    if not 1 <= account_id <= MAX_ID:
        raise NotFound("account")
    arrears = account_arrears_subquery(as_of, [account_id])
    row = session.execute(
        restrict(
            select(Account, arrears.c.arrears, arrears.c.oldest_due, *extra)
            .outerjoin(arrears, arrears.c.account_id == Account.id)
            .where(Account.id == account_id),
            Account,
            scope,
        )
    ).one_or_none()
    if row is None:
        raise NotFound("account")
    _set_arrears(row[0], row.arrears, row.oldest_due, as_of)
    return row


def get_account(session: Session, scope: Scope, account_id: int) -> Account:
    """The account if it is in scope, else :class:`NotFound`."""
    if not 1 <= account_id <= MAX_ID:  # a path id beyond PostgreSQL integer: not a 500
        raise NotFound("account")
    account = get_scoped(session, Account, account_id, scope)
    if account is None:
        raise NotFound("account")
    return account
