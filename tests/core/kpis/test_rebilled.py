"""The collection rate's billed amount counts a re-billing adjustment (the bill's amount
is what was billed plus its adjustments)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from core.kpis.base import Period, Subject
from core.kpis.collection import collection
from core.models import BillAdjustment, Role
from core.scope import Scope

ADMIN = Scope(0, Role.ADMIN, frozenset())


def test_billed_counts_the_rebilled_amount(factory, session):
    """A bill of 100.00 re-billed to 120.50 counts 120.50 as billed in its month."""
    st = factory.station()
    acc = factory.account(st)
    bill = factory.bill(acc, dt.date(2026, 10, 1), "100.00", dt.date(2026, 11, 10))
    actor = factory.user(Role.ADMIN)
    session.add(
        BillAdjustment(
            id=uuid.uuid4(),
            bill_id=bill.id,
            delta=Decimal("20.50"),
            old_amount=Decimal("100.00"),
            new_amount=Decimal("120.50"),
            reason="re-billed",
            actor_id=actor.id,
        )
    )
    session.flush()
    (line,) = collection(
        session, ADMIN, Subject(st.id), Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    )
    assert line.billed == Decimal("120.50")
