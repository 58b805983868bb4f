"""Each account's maintained sums (``account_balance``, migration 0034) over real,
concurrent transactions and account edits: always the ledger's recount."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, insert, literal, select, update
from sqlalchemy.orm import Session

from core.models import (
    Account,
    AccountBalance,
    Bill,
    Channel,
    EntryKind,
    Payment,
    PaymentAllocation,
    Role,
    Station,
)
from core.money.balance import balance_mismatches
from tests.support.committed import committed_field
from tests.support.two_writers import second_waits_for_first

AT = dt.datetime(2026, 4, 9, 10, 0, tzinfo=dt.UTC)


def _pay(session: Session, account_id: int, bill_id: int, principal: str) -> None:
    payment = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.PAYMENT,
        account_id=account_id,
        amount=Decimal(principal),
        channel=Channel.COUNTER,
        collected_at=AT,
    )
    session.add(payment)
    session.flush()
    session.add(
        PaymentAllocation(
            payment_id=payment.id, bill_id=bill_id, principal=Decimal(principal), late_fee=0
        )
    )
    session.flush()


def test_two_writers_paying_one_account_add_up(engine: Engine) -> None:
    """Two transactions pay two bills of one account at once: the second waits for the
    first's lock on the account's row and recounts after it, so neither change is lost."""
    field = committed_field(engine, PasswordHasher())
    account_id = field.account_ids[0]
    with Session(engine) as s, s.begin():
        s.add(
            Bill(
                account_id=account_id,
                period=dt.date(2026, 4, 1),
                amount=Decimal("50.00"),
                due_date=dt.date(2026, 5, 10),
            )
        )
    with Session(engine) as s:
        first, second = s.scalars(
            select(Bill.id).where(Bill.account_id == account_id).order_by(Bill.period)
        ).all()
    second_waits_for_first(
        engine,
        lambda one: _pay(one, account_id, first, "30.00"),
        lambda two: _pay(two, account_id, second, "20.00"),
    )
    with Session(engine) as s:
        row = s.get(AccountBalance, account_id)
        assert row is not None
        assert (row.open_principal, row.open_bills) == (Decimal("80.00"), 2)  # 50 + 30
        assert row.oldest_open_due == dt.date(2026, 4, 10)
        assert row.latest_open_period == dt.date(2026, 4, 1)
        assert balance_mismatches(s, [field.station_id]) == []


def test_the_row_follows_its_account_and_its_bills(engine: Engine) -> None:
    """A settled bill leaves the sums; a new collector or station moves the row with the
    account; no open bill leaves a zero row."""
    field = committed_field(engine, PasswordHasher(), collectors=2)
    account_id = field.account_ids[0]
    with Session(engine) as s, s.begin():
        bill_id = s.scalar(select(Bill.id).where(Bill.account_id == account_id))
        assert bill_id is not None
        _pay(s, account_id, bill_id, "80.00")
    other = committed_field(engine, PasswordHasher())
    with Session(engine) as s, s.begin():
        s.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(responsible_id=field.collector_ids[1], station_id=other.station_id)
        )
    with Session(engine) as s:
        row = s.get(AccountBalance, account_id)
        assert row is not None
        assert (row.open_principal, row.open_bills, row.oldest_open_due) == (Decimal("0"), 0, None)
        assert (row.responsible_id, row.station_id) == (field.collector_ids[1], other.station_id)
        assert s.get(Station, other.station_id) is not None
        assert balance_mismatches(s, [field.station_id, other.station_id]) == []


def test_every_account_has_a_row_from_its_creation(factory: Any, session: Session) -> None:
    """An account created without a bill, one at a time or by an INSERT ... SELECT (as
    the importer writes), has a zero row with its station and collector (0037): the
    account list finds the accounts owing nothing through those rows."""
    station = factory.station()
    collector = factory.user(Role.COLLECTOR, station)
    one = factory.account(station, collector)
    source = select(
        Account.station_id,
        literal("COPY-1").label("number"),
        Account.name,
        Account.address,
        Account.phone,
        Account.village,
        Account.category,
        Account.location,
        Account.responsible_id,
    ).where(Account.id == one.id)
    columns = ["station_id", "number", "name", "address", "phone", "village", "category"]
    copied = session.scalar(
        insert(Account)
        .from_select([*columns, "location", "responsible_id"], source)
        .returning(Account.id)
    )
    for account_id in (one.id, copied):
        row = session.get(AccountBalance, account_id)
        assert row is not None, account_id
        assert (row.open_principal, row.open_bills, row.oldest_open_due) == (0, 0, None)
        assert (row.station_id, row.responsible_id) == (station.id, collector.id)
    assert balance_mismatches(session, [station.id]) == []
