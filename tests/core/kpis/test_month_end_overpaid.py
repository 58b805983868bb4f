"""Month-end on a bill paid beyond its amount: a bill re-billed lower after it was paid,
whose payment is reversed in the month, owes its new amount again, not the payment."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from core.kpis.base import Subject
from core.kpis.month_end import owing_by_day
from core.models import BillAdjustment, Channel, Role
from core.money.due import amount_due
from core.scope import Scope
from tests.support.kpi_ledger import on, pay, reverse

ADMIN = Scope(0, Role.ADMIN, frozenset())


def test_a_reversal_on_a_bill_paid_beyond_its_amount_owes_the_amount(factory, session):
    """February's bill of 100.00 paid in full on 02-20, re-billed to 90.00 (10.00 paid
    beyond it), the payment reversed on 03-16: nothing owed on 03-15, 90.00 from 03-16."""
    st = factory.station()
    acc = factory.account(st)
    bill = factory.bill(acc, dt.date(2026, 2, 1), "100.00", dt.date(2026, 3, 10))
    payment = pay(session, bill, "100.00", Channel.ALIPAY, on(2, 20))
    session.add(
        BillAdjustment(
            id=uuid.uuid4(),
            bill_id=bill.id,
            delta=Decimal("-10.00"),
            old_amount=Decimal("100.00"),
            new_amount=Decimal("90.00"),
            reason="meter re-read",
            actor_id=factory.user(Role.ADMIN).id,
        )
    )
    session.flush()
    reverse(session, payment, on(3, 16))
    trend = {d.day.day: (d.owing, d.accounts) for d in owing_by_day(
        session, ADMIN, Subject(st.id), dt.date(2026, 3, 31)
    )}  # fmt: skip
    assert trend[15] == (Decimal("0.00"), 0)
    assert trend[16] == trend[31] == (Decimal("90.00"), 1)
    # The same as the amount due read for that day, without late fees.
    assert amount_due(session, acc.id, dt.date(2026, 3, 16)).principal == Decimal("90.00")
