"""When and how each bill was paid, kept on its balance row (migration 0036) by the
allocation trigger over real, concurrent transactions: always the ledger's recount."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from argon2 import PasswordHasher
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.models import Bill, BillBalance, Channel, EntryKind, Payment, PaymentAllocation
from core.money.balance import balance_mismatches
from tests.support.committed import committed_field
from tests.support.two_writers import second_waits_for_first

AT = dt.datetime(2026, 4, 20, 2, 30, tzinfo=dt.UTC)


def _pay(
    session: Session,
    account_id: int,
    bill_id: int,
    principal: str,
    channel: Channel,
    at: dt.datetime,
) -> None:
    payment = Payment(
        id=uuid.uuid4(),
        kind=EntryKind.PAYMENT,
        account_id=account_id,
        amount=Decimal(principal),
        channel=channel,
        collected_at=at,
    )
    session.add(payment)
    session.flush()
    session.add(
        PaymentAllocation(
            payment_id=payment.id, bill_id=bill_id, principal=Decimal(principal), late_fee=0
        )
    )
    session.flush()


def test_the_latest_payment_and_any_door_payment_are_kept_whatever_the_order(
    engine: Engine,
) -> None:
    """A later-dated online payment written first, then an earlier one at the door: the
    row keeps the later date (not the last written) and that a payment came at the door."""
    field = committed_field(engine, PasswordHasher())
    account_id = field.account_ids[0]
    with Session(engine) as s, s.begin():
        bill_id = s.scalar(select(Bill.id).where(Bill.account_id == account_id))
        assert bill_id is not None
        before = s.get(BillBalance, bill_id)
        assert before is not None
        assert (before.last_paid_at, before.paid_at_door) == (None, False)
        _pay(s, account_id, bill_id, "10.00", Channel.ALIPAY, AT + dt.timedelta(days=3))
        _pay(s, account_id, bill_id, "10.00", Channel.FIELD_QR, AT)
    with Session(engine) as s:
        row = s.get(BillBalance, bill_id)
        assert row is not None
        assert (row.last_paid_at, row.paid_at_door) == (AT + dt.timedelta(days=3), True)
        assert balance_mismatches(s, [field.station_id]) == []


def test_two_writers_paying_one_bill_both_count(engine: Engine) -> None:
    """Two transactions pay one bill at once, at the door and online a day later: the
    second waits for the first's lock on the bill's row, and the row ends with the later
    date and the door payment, as the ledger's recount."""
    field = committed_field(engine, PasswordHasher())
    account_id = field.account_ids[0]
    with Session(engine) as s:
        bill_id = s.scalar(select(Bill.id).where(Bill.account_id == account_id))
        assert bill_id is not None
    second_waits_for_first(
        engine,
        lambda one: _pay(one, account_id, bill_id, "30.00", Channel.FIELD_CASH, AT),
        lambda two: _pay(
            two, account_id, bill_id, "20.00", Channel.WECHAT, AT + dt.timedelta(days=1)
        ),
    )
    with Session(engine) as s:
        row = s.get(BillBalance, bill_id)
        assert row is not None
        assert (row.last_paid_at, row.paid_at_door) == (AT + dt.timedelta(days=1), True)
        assert balance_mismatches(s, [field.station_id]) == []
