"""The set-based amount due equals ``core.money.amount_due`` to the fen, and so do its users.

A varied ledger (hypothesis): stations in two time zones, each with up to three rate
versions of its own, and up to three national ones, starting before, during and after
the bills' lateness (each day of lateness accrues at its own day's rates); every
account category, bills due on any day, payments recorded out of collection order
(backdated ones allocated by the payable rule), collections just after midnight and
just before it, and reversals dated days after their payment. For every
account and several days D, the set-based rows, the account filter's arrears, the
ageing list and the planner's overdue bills must equal what ``amount_due`` says.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from core.accounts.customers import AccountFilters, AccountSort, accounts_query, owing_page_query
from core.models import (
    Account,
    BillBalance,
    Category,
    Channel,
    EntryKind,
    Payment,
    PaymentAllocation,
    Role,
    Station,
)
from core.models.ledger_extra import LateFeeRate
from core.money import AmountDue, amount_due, plan_allocation
from core.money.arrears import account_arrears_subquery
from core.money.arrears_sql import arrears_by_age
from core.money.balance import balance_mismatches
from core.money.due_many import dues_of
from core.money.due_sql import bills_due
from core.money.payable import payable
from core.planning.candidates import outstanding_principal_by_bill
from core.scope import Scope
from tests.factories import Factory

START = dt.date(2025, 10, 1)
#: The business day the ledger is recorded on (after every collection in it).
TODAY = dt.date(2026, 9, 30)
ZONES = ("Asia/Shanghai", "Asia/Urumqi")
VILLAGES = ("东村", "西村")
#: Minutes after local midnight: just after midnight, mid-morning, just before midnight.
MINUTES = (5, 600, 1435)
FIXED_DAYS = (
    dt.date(2025, 12, 31),
    dt.date(2026, 2, 15),
    dt.date(2026, 4, 10),
    dt.date(2026, 7, 1),
    TODAY,
    dt.date(2027, 1, 15),
)

#: Late in the suite the tables hold every earlier test's dead rows (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("vacuumed_database")
cents = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)
per_mille = st.sampled_from([Decimal("0"), Decimal("0.0005"), Decimal("0.001"), Decimal("0.003")])


@dataclass(frozen=True)
class Pay:
    account: int
    day: int
    minute: int
    amount: Decimal
    hint_newest: bool


@dataclass(frozen=True)
class Reverse:
    payment: int
    delay_days: int
    minute: int


rate_versions = st.lists(
    st.tuples(
        st.integers(-60, 420),
        per_mille,
        per_mille,
        per_mille,
        st.sampled_from([Decimal("0.00"), Decimal("1.00"), Decimal("2.50")]),
    ),
    max_size=3,
    unique_by=lambda v: v[0],
)
ledgers = st.fixed_dictionaries(
    {
        "accounts": st.lists(
            st.tuples(st.integers(0, 1), st.sampled_from(list(Category))), min_size=2, max_size=4
        ),
        # Per account: (months after START, amount, days from the period to the due date).
        "bills": st.lists(
            st.lists(
                st.tuples(st.integers(0, 9), cents, st.integers(5, 70)),
                min_size=1,
                max_size=4,
                unique_by=lambda b: b[0],
            ),
            min_size=4,
            max_size=4,
        ),
        "station_rates": st.lists(rate_versions, min_size=2, max_size=2),
        "national_rates": rate_versions,
        "events": st.lists(
            st.one_of(
                st.builds(
                    Pay,
                    st.integers(0, 3),
                    st.integers(0, 330),
                    st.sampled_from(MINUTES),
                    cents,
                    st.booleans(),
                ),
                st.builds(
                    Reverse, st.integers(0, 20), st.integers(0, 60), st.sampled_from(MINUTES)
                ),
            ),
            max_size=14,
        ),
        "days": st.lists(st.integers(0, 480), min_size=2, max_size=2),
    }
)


def _month(months: int) -> dt.date:
    y, m = divmod(START.month - 1 + months, 12)
    return dt.date(START.year + y, m + 1, 1)


def _at(day: dt.date, minute: int, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), ZoneInfo(zone))


def _build(session: Session, factory: Factory, spec: dict[str, Any]) -> list[Account]:
    stations = [factory.station(), factory.station()]
    for station, zone in zip(stations, ZONES, strict=True):
        station.timezone = zone
    for station_id, versions in (
        (stations[0].id, spec["station_rates"][0]),
        (stations[1].id, spec["station_rates"][1]),
        (None, spec["national_rates"]),
    ):
        for offset, res, cur, later, minimum in versions:
            session.add(
                LateFeeRate(
                    station_id=station_id,
                    effective_from=START + dt.timedelta(offset),
                    residential=res,
                    other_current_year=cur,
                    other_earlier_years=later,
                    minimum=minimum,
                )
            )
    collector = factory.user(Role.COLLECTOR, *stations)
    accounts = [
        factory.account(stations[s], collector, category=c, village=VILLAGES[i % 2])
        for i, (s, c) in enumerate(spec["accounts"])
    ]
    for account, bills in zip(accounts, spec["bills"], strict=False):
        for months, amount, due_in in bills:
            period = _month(months)
            factory.bill(account, period, str(amount), period + dt.timedelta(due_in))
    zone_of = {a.id: ZONES[s] for a, (s, _) in zip(accounts, spec["accounts"], strict=True)}
    paid: list[tuple[Payment, list[PaymentAllocation]]] = []
    reversed_ids: set[uuid.UUID] = set()
    for event in spec["events"]:
        if isinstance(event, Pay):
            account = accounts[event.account % len(accounts)]
            on = START + dt.timedelta(event.day)
            due = payable(session, account.id, on, TODAY)
            hint = (due.bills[-1].bill_id,) if event.hint_newest and due.bills else ()
            plan = plan_allocation(due, event.amount, hint)
            payment = Payment(
                id=uuid.uuid4(),
                kind=EntryKind.PAYMENT,
                account_id=account.id,
                amount=event.amount,
                channel=Channel.COUNTER,
                collected_at=_at(on, event.minute, zone_of[account.id]),
            )
            session.add(payment)
            session.flush()
            lines = [
                PaymentAllocation(
                    payment_id=payment.id,
                    bill_id=x.bill_id,
                    principal=x.principal,
                    late_fee=x.late_fee,
                )
                for x in plan.lines
            ]
            session.add_all(lines)
            session.flush()
            paid.append((payment, lines))
        elif paid:
            original, lines = paid[event.payment % len(paid)]
            if original.id in reversed_ids:
                continue
            reversed_ids.add(original.id)
            zone = zone_of[original.account_id]
            day = original.collected_at.astimezone(ZoneInfo(zone)).date()
            at = max(
                original.collected_at, _at(day + dt.timedelta(event.delay_days), event.minute, zone)
            )
            reversal = Payment(
                id=uuid.uuid4(),
                kind=EntryKind.REVERSAL,
                account_id=original.account_id,
                amount=original.amount,
                channel=original.channel,
                collected_at=at,
                reverses_id=original.id,
                reason="test",
            )
            session.add(reversal)
            session.flush()
            session.add_all(
                PaymentAllocation(
                    payment_id=reversal.id,
                    bill_id=x.bill_id,
                    principal=-x.principal,
                    late_fee=-x.late_fee,
                )
                for x in lines
            )
            session.flush()
    return accounts + _owing_nothing_sometimes(session, factory, stations, collector)


def _owing_nothing_sometimes(
    session: Session, factory: Factory, stations: list[Station], collector: Any
) -> list[Account]:
    """Accounts a draw may miss, each owing nothing on some days in its own way (the
    account list by arrears ascending starts with those): one without a bill, one whose
    only bill is of a period after every day read, one whose only bill was paid on
    2026-08-20 (owing before it: a payment after the day; nothing after it)."""
    idle = factory.account(stations[0], collector, village=VILLAGES[1])
    future = factory.account(stations[1], collector, village=VILLAGES[0])
    factory.bill(future, dt.date(2027, 6, 1), "30.00", dt.date(2027, 6, 20))
    late = factory.account(stations[0], collector, village=VILLAGES[0])
    bill = factory.bill(late, dt.date(2026, 1, 1), "45.00", dt.date(2026, 2, 10))
    _payment(session, late, _at(dt.date(2026, 8, 20), 600, ZONES[0]), [(bill, "45.00", "0")])
    return [idle, future, late]


def _check_day(session: Session, accounts: list[Account], day: dt.date, users: bool) -> None:
    """``bills_due`` on ``day`` equals amount_due; with ``users``, so do its readers."""
    ids = [a.id for a in accounts]
    dues = {a.id: amount_due(session, a.id, day) for a in accounts}

    core = bills_due(day)
    rows = session.execute(select(core).where(core.c.account_id.in_(ids))).all()
    got_lines = {(r.account_id, r.bill_id, r.principal, r.late_fee, r.days_overdue) for r in rows}
    want_lines = {
        (a, b.bill_id, b.principal, b.late_fee, b.days_overdue)
        for a, due in dues.items()
        for b in due.bills
    }
    assert got_lines == want_lines, ("bills_due", day)
    for station_id in {a.station_id for a in accounts}:
        # Restricted to a station or a scope first: the same lines, those accounts' only.
        mine = {a.id for a in accounts if a.station_id == station_id}
        want = {line for line in want_lines if line[0] in mine}
        scope = Scope(0, Role.SUPERVISOR, frozenset({station_id}))
        for restricted in (bills_due(day, station_id=station_id), bills_due(day, scope=scope)):
            rows = session.execute(select(restricted)).all()
            got = {(r.account_id, r.bill_id, r.principal, r.late_fee, r.days_overdue) for r in rows}
            assert got == want, ("bills_due of a station", day, station_id)
    assert dues_of(session, ids, day) == dues, ("dues_of", day)
    if users:
        _check_users(session, accounts, day, dues)


def _check_users(
    session: Session, accounts: list[Account], day: dt.date, dues: dict[int, AmountDue]
) -> None:
    ids = [a.id for a in accounts]
    # Every account, a page, and (restricted first) each station's and its scope's.
    stations = {a.station_id for a in accounts}
    readings: list[tuple[Any, int | None]] = [
        (account_arrears_subquery(day), None),
        (account_arrears_subquery(day, ids), None),
    ]
    for s in stations:
        scope = Scope(0, Role.SUPERVISOR, frozenset({s}))
        readings += [
            (account_arrears_subquery(day, station_id=s), s),
            (account_arrears_subquery(day, scope=scope), s),
        ]
    station_of = {a.id: a.station_id for a in accounts}
    for n, (sub, station_id) in enumerate(readings):
        got = {
            r.account_id: (r.arrears, r.oldest_due)
            for r in session.execute(select(sub).where(sub.c.account_id.in_(ids)))
        }
        for account_id, due in dues.items():
            arrears, oldest = got.get(account_id, (Decimal("0.00"), None))
            if station_id is not None and station_of[account_id] != station_id:
                assert account_id not in got, ("account arrears outside", day, account_id, n)
                continue
            want_oldest = min((b.due_date for b in due.bills if b.principal > 0), default=None)
            assert arrears == due.principal, ("account arrears", day, account_id, n)
            assert oldest == want_oldest, ("account oldest_due", day, account_id, n)
    _check_owing_pages(session, accounts, day, dues)

    sub = arrears_by_age(day)
    aged = {r.account_id: r for r in session.execute(select(sub).where(sub.c.account_id.in_(ids)))}
    for account_id, due in dues.items():
        row = aged.get(account_id)
        if due.principal == 0:
            assert row is None, ("arrears_by_age row", day, account_id)
            continue
        assert row is not None, ("arrears_by_age row", day, account_id)
        b = due.buckets
        assert (row.principal, row.d1_30, row.d31_60, row.d61_90, row.d90_plus) == (
            due.principal,
            b.d1_30,
            b.d31_60,
            b.d61_90,
            b.d90_plus,
        ), ("arrears_by_age buckets", day, account_id)
        assert (row.oldest_days_overdue, row.stage) == (due.oldest_days_overdue, due.stage.value), (
            "arrears_by_age stage",
            day,
            account_id,
        )

    want_overdue = {
        (a.id, a.category, b.due_date, b.principal)
        for a in accounts
        for b in dues[a.id].bills
        if b.principal > 0 and b.days_overdue > 0
    }
    by_station = set()
    for station_id in {a.station_id for a in accounts}:
        by_station |= set(outstanding_principal_by_bill(session, day, station_id=station_id))
    by_ids = set(outstanding_principal_by_bill(session, day, account_ids=ids))
    assert by_station == want_overdue, ("planner overdue bills by station", day)
    assert by_ids == want_overdue, ("planner overdue bills by account", day)


def _check_owing_pages(
    session: Session, accounts: list[Account], day: dt.date, dues: dict[int, AmountDue]
) -> None:
    """The account list's full reading (accounts_query) equals the ledger (each account's
    arrears and days overdue; which accounts each arrears filter keeps), and its pages
    read from account_balance's key and indexes (owing_page_query: by -arrears, by
    arrears, by id under a filter keeping owing accounts only) page as it does from every
    cursor: whenever such a page has its n rows they are the full reading's, and when it
    says it is exact it is the full reading's page whatever its length. By arrears
    ascending it is exact from every cursor, the accounts owing nothing first (those
    without a bill, with only a later period's bill, paid after the day, paid off)."""
    stations = frozenset(a.station_id for a in accounts)
    collector = accounts[0].responsible_id
    assert collector is not None
    owed = {a.id: dues[a.id].principal for a in accounts}
    oldest = {
        a.id: min((b.due_date for b in dues[a.id].bills if b.principal > 0), default=None)
        for a in accounts
    }
    scopes: list[tuple[Scope, dict[str, Any], set[int]]] = [
        (
            Scope(0, Role.SUPERVISOR, frozenset({s})),
            {"station_id": s},
            {a.id for a in accounts if a.station_id == s},
        )
        for s in stations
    ]
    theirs = {a.id for a in accounts if a.responsible_id == collector}
    scopes.append((Scope(collector, Role.COLLECTOR, stations), {}, theirs))
    scopes.append((Scope(0, Role.ADMIN, frozenset()), {"responsible_id": collector}, theirs))
    median = sorted(owed.values())[len(owed) // 2]
    filters: list[dict[str, Any]] = [
        {},
        {"arrears_min": Decimal("0.01")},
        {"arrears_min": median},
        {"overdue_days_min": 0},
        {"overdue_days_min": 20, "arrears_max": median},
    ]

    paged: list[tuple[AccountSort, dict[str, Any]]] = [
        (AccountSort.ARREARS_DESC, {}),
        # From arrears 0 on: the accounts owing nothing first, by id (a zero part).
        (AccountSort.ARREARS, {}),
        (AccountSort.ARREARS, {"arrears_max": median, "village": VILLAGES[0]}),
        (AccountSort.ARREARS, {"arrears_min": Decimal("0"), "arrears_max": Decimal("-0.01")}),
        (AccountSort.ARREARS, {"overdue_days_min": 0, "arrears_min": median}),
        (AccountSort.ID, {"arrears_min": Decimal("0.01")}),
        (AccountSort.ID, {"overdue_days_min": 20, "arrears_max": median}),
    ]

    village = {a.id: a.village for a in accounts}

    def keeps(account_id: int, extra: dict[str, Any]) -> bool:
        due, first = owed[account_id], oldest[account_id]
        if "village" in extra and village[account_id] != extra["village"]:
            return False
        if "arrears_min" in extra and due < extra["arrears_min"]:
            return False
        if "arrears_max" in extra and due > extra["arrears_max"]:
            return False
        if "overdue_days_min" in extra:
            return first is not None and first <= day - dt.timedelta(extra["overdue_days_min"])
        return True

    def page(stmt: Any, order: AccountSort, after: Any, n: int) -> list[tuple[int, Any]]:
        value = stmt.selected_columns.sort_value
        if order is AccountSort.ID:
            if after is not None:
                stmt = stmt.where(Account.id > after)
            stmt = stmt.order_by(Account.id)
        elif order.descending:
            if after is not None:
                stmt = stmt.where(tuple_(value, Account.id) < after)
            stmt = stmt.order_by(value.desc(), Account.id.desc())
        else:
            if after is not None:
                stmt = stmt.where(tuple_(value, Account.id) > after)
            stmt = stmt.order_by(value, Account.id)
        return [(r[0].id, r.sort_value) for r in session.execute(stmt.limit(n))]

    for scope, base, mine in scopes:
        full = AccountFilters(as_of=day, sort=AccountSort.DAYS_OVERDUE, **base)
        got_days = dict(page(accounts_query(scope, full), AccountSort.DAYS_OVERDUE, None, 1000))
        want_days = {i: (day - d).days if (d := oldest[i]) else 0 for i in mine}
        assert got_days == want_days, ("days overdue", day, scope)
        for extra in filters:  # the full reading's filters and amounts
            f = AccountFilters(as_of=day, sort=AccountSort.ARREARS, **base, **extra)
            want = page(accounts_query(scope, f), AccountSort.ARREARS, None, 1000)
            assert {i for i, _ in want} == {i for i in mine if keeps(i, extra)}, (day, extra)
            assert all(v == owed[i] for i, v in want), ("arrears", day, scope, extra)
        for order, extra in paged:
            f = AccountFilters(as_of=day, sort=order, **base, **extra)
            want = page(accounts_query(scope, f), order, None, 1000)
            for k in range(len(want) + 1):
                if k == 0:
                    after = None
                else:
                    after = want[k - 1][0] if order is AccountSort.ID else want[k - 1][::-1]
                for n in (1, 2) if k % 2 else (2,):  # pages of 1 from every other cursor
                    quick = owing_page_query(scope, f, after, n)
                    if quick is None:
                        assert order is AccountSort.ID, "by arrears: always"
                        continue
                    if order is AccountSort.ARREARS:
                        assert quick.exact, "by arrears ascending: exact from any cursor"
                    got = page(quick.stmt, order, after, n)
                    expected = want[k : k + n]
                    where = (day, scope, extra, order, k, n)
                    if len(got) == n or quick.exact:
                        assert got == expected, ("owing page", *where)
                    else:
                        assert got == [r for r in expected if owed[r[0]] > 0], ("owing", *where)
                        assert len(expected) < n or owed[expected[-1][0]] <= 0, where


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=ledgers)
def test_set_based_amount_due_equals_amount_due(app: Any, session: Session, spec: Any) -> None:
    """Every set-based reading of the ledger equals amount_due, bill by bill, to the fen."""
    savepoint = session.begin_nested()
    try:
        accounts = _build(session, Factory(session, app), spec)
        _check_balance(session, accounts)
        drawn = {START + dt.timedelta(d) for d in spec["days"]}
        for day in sorted({*FIXED_DAYS, *drawn}):
            _check_day(session, accounts, day, users=day in drawn or day == TODAY)
        # No date: each station's own business day today.
        sub = account_arrears_subquery()
        got = {
            r.account_id: r.arrears
            for r in session.execute(
                select(sub).where(sub.c.account_id.in_([a.id for a in accounts]))
            )
        }
        for account in accounts:
            zone = session.get(Station, account.station_id).timezone  # type: ignore[union-attr]
            today = dt.datetime.now(ZoneInfo(zone)).date()
            want = amount_due(session, account.id, today).principal
            assert got.get(account.id, Decimal("0.00")) == want, ("arrears today", account.id)
    finally:
        savepoint.rollback()


#: A day after every collection and reversal of the ledgers drawn here.
AFTER_ALL = dt.date(2030, 1, 1)


def _check_balance(session: Session, accounts: list[Account]) -> None:
    """The maintained balance (core.money.balance) is the ledger's recount, and its open
    bills are those ``amount_due`` and ``bills_due`` say owe principal once every
    payment and reversal is dated."""
    ids = [a.id for a in accounts]
    assert balance_mismatches(session, sorted({a.station_id for a in accounts})) == []
    kept = {
        r.bill_id: r.outstanding
        for r in session.execute(
            select(BillBalance).where(BillBalance.account_id.in_(ids), BillBalance.outstanding > 0)
        ).scalars()
    }
    want = {
        b.bill_id: b.principal
        for a in accounts
        for b in amount_due(session, a.id, AFTER_ALL).bills
        if b.principal > 0
    }
    assert kept == want, "maintained balance against amount_due"
    lines = bills_due(AFTER_ALL, account_ids=ids, late_fees=False)
    assert {r.bill_id: r.principal for r in session.execute(select(lines))} == want


def _payment(
    session: Session, account: Account, at: dt.datetime, lines: list[tuple[Any, str, str]]
) -> Payment:
    payment = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.PAYMENT,
        account_id=account.id,
        amount=sum((Decimal(p) + Decimal(f) for _, p, f in lines), Decimal(0)),
        channel=Channel.COUNTER,
        collected_at=at,
    )
    session.add(payment)
    session.flush()
    for bill, principal, fee in lines:
        session.add(
            PaymentAllocation(
                payment_id=payment.id,
                bill_id=bill.id,
                principal=Decimal(principal),
                late_fee=Decimal(fee),
            )
        )
    session.flush()
    return payment


def _reverse(session: Session, original: Payment, at: dt.datetime) -> None:
    reversal = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.REVERSAL,
        account_id=original.account_id,
        amount=original.amount,
        channel=original.channel,
        collected_at=at,
        reverses_id=original.id,
        reason="wrong account",
    )
    session.add(reversal)
    session.flush()
    for a in session.scalars(
        select(PaymentAllocation).where(PaymentAllocation.payment_id == original.id)
    ).all():
        session.add(
            PaymentAllocation(
                payment_id=reversal.id,
                bill_id=a.bill_id,
                principal=-a.principal,
                late_fee=-a.late_fee,
            )
        )
    session.flush()


def test_readers_count_payments_and_reversals_from_their_day(
    factory: Any, session: Session
) -> None:
    """As of 04-01: a payment collected on 04-15 has not paid yet, and a payment whose
    reversal comes on 05-01 still has (the readers once summed every allocation ever)."""
    station = factory.station()
    account = factory.account(station, factory.user(Role.COLLECTOR, station))
    old = factory.bill(account, dt.date(2026, 1, 1), "100.00", dt.date(2026, 2, 10))
    new = factory.bill(account, dt.date(2026, 2, 1), "50.00", dt.date(2026, 3, 10))
    _payment(session, account, _at(dt.date(2026, 4, 15), 600, ZONES[0]), [(old, "100.00", "0")])
    early = _payment(
        session, account, _at(dt.date(2026, 3, 1), 600, ZONES[0]), [(new, "50.00", "0")]
    )
    _reverse(session, early, _at(dt.date(2026, 5, 1), 600, ZONES[0]))
    day = dt.date(2026, 4, 1)
    due = amount_due(session, account.id, day)
    assert (due.principal, [b.bill_id for b in due.bills]) == (Decimal("100.00"), [old.id])
    _check_day(session, [account], day, users=True)
    sub = account_arrears_subquery(day)
    row = session.execute(select(sub).where(sub.c.account_id == account.id)).one()
    assert (row.arrears, row.oldest_due) == (Decimal("100.00"), old.due_date)
    assert outstanding_principal_by_bill(session, day, account_ids=[account.id]) == [
        (account.id, Category.RESIDENTIAL, old.due_date, Decimal("100.00"))
    ]


def test_a_bill_owing_only_its_late_fee_sets_the_stage(factory: Any, session: Session) -> None:
    """A bill whose principal was paid 30 days late, without its fee, still owes the 3.00
    it accrued at 1 per mille (the station's 2 per mille from 03-01 changes nothing
    before it): it is the oldest bill owing something, so the ageing list's stage
    follows it."""
    station = factory.station()
    session.add(
        LateFeeRate(
            station_id=station.id,
            effective_from=dt.date(2026, 3, 1),
            residential=Decimal("0.002"),
            other_current_year=Decimal("0.002"),
            other_earlier_years=Decimal("0.003"),
            minimum=Decimal("1.00"),
        )
    )
    account = factory.account(station, factory.user(Role.COLLECTOR, station))
    paid = factory.bill(account, dt.date(2025, 12, 1), "100.00", dt.date(2026, 1, 10))
    open_ = factory.bill(account, dt.date(2026, 2, 1), "40.00", dt.date(2026, 3, 10))
    _payment(session, account, _at(dt.date(2026, 2, 9), 600, ZONES[0]), [(paid, "100.00", "0.00")])
    day = dt.date(2026, 4, 1)
    due = amount_due(session, account.id, day)
    assert [(b.bill_id, b.principal, b.late_fee) for b in due.bills][0] == (
        paid.id,
        Decimal("0.00"),
        Decimal("3.00"),
    )
    assert (due.oldest_days_overdue, due.stage.value) == (81, "repeated_visit")
    _check_day(session, [account], day, users=True)
    sub = arrears_by_age(day)
    row = session.execute(select(sub).where(sub.c.account_id == account.id)).one()
    assert (row.principal, row.oldest_days_overdue, row.stage) == (
        Decimal("40.00"),
        81,
        "repeated_visit",
    )
    assert open_.id in {b.bill_id for b in due.bills}
