"""The cash-custody window: which cash movements no count has covered yet.

A count is a physical event: the cash in the collector's hand at that moment. So a
reconciliation R *covers* every movement (field cash collected, quarantined, reversed,
handed over) recorded before it, whatever the movement's own day, and each movement is
covered by exactly one count, the first one recorded after it. A payment uploaded
late, after its day was counted, falls into the next count (reported as ``late``)
instead of changing a closed day; the next count always opens with exactly the cash
counted, and cash in hand is::

    counted at the last count + the movements no count has covered yet
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.models.ledger_extra import CashReconciliation

ZERO = Decimal("0.00")

_WINDOW = text(
    """
    WITH moves AS (
        SELECT CASE p.kind WHEN 'payment' THEN 'collected' ELSE 'reversed' END AS kind,
               p.amount,
               (p.collected_at AT TIME ZONE :tz)::date AS day,
               CASE WHEN p.kind = 'payment' THEN coalesce(q.recorded_at, p.recorded_at)
                    ELSE p.recorded_at END AS recorded_at
        FROM payment p LEFT JOIN payment_quarantine q ON q.id = p.id
        WHERE p.collector_id = :collector AND p.channel = 'field_cash'
        UNION ALL
        SELECT 'quarantined', q.amount, (q.collected_at AT TIME ZONE :tz)::date, q.recorded_at
        FROM payment_quarantine q
        WHERE q.collector_id = :collector AND q.channel = 'field_cash'
          AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.id = q.id)
        UNION ALL
        SELECT 'handed_over', e.amount, e.business_date, e.recorded_at
        FROM cash_event e WHERE e.collector_id = :collector AND e.kind = 'handover'
    )
    SELECT m.kind, sum(m.amount) AS amount,
           coalesce(sum(m.amount) FILTER (WHERE m.day <= :late_until), 0) AS late
    FROM moves m
    WHERE NOT EXISTS (
        SELECT 1 FROM cash_reconciliation r
        WHERE r.collector_id = :collector AND m.recorded_at < r.recorded_at)
    GROUP BY m.kind
    """
)


@dataclass(frozen=True)
class Window:
    """Cash since the last count; ``late`` = recorded after its own day had been counted."""

    last_count_day: dt.date | None
    opening: Decimal
    collected: Decimal
    quarantined: Decimal
    reversed: Decimal
    handed_over: Decimal
    late: Decimal

    @property
    def in_hand(self) -> Decimal:
        return self.opening + self.collected + self.quarantined - self.reversed - self.handed_over


def window(session: Session, collector_id: int, tz: str) -> Window:
    """The custody window of ``collector_id`` now (days are local to ``tz``)."""
    last = session.scalars(
        select(CashReconciliation)
        .where(CashReconciliation.collector_id == collector_id)
        .order_by(CashReconciliation.recorded_at.desc())
        .limit(1)
    ).first()
    last_day = last.business_date if last is not None else None
    rows = session.execute(
        _WINDOW,
        {
            "collector": collector_id,
            "tz": tz,
            "late_until": last_day or dt.date(1, 1, 1),
        },
    ).all()
    sums = {r.kind: Decimal(r.amount) for r in rows}
    late = sum(
        (Decimal(r.late) * (-1 if r.kind in ("reversed", "handed_over") else 1) for r in rows), ZERO
    )
    return Window(
        last_count_day=last_day,
        opening=last.counted if last is not None else ZERO,
        collected=sums.get("collected", ZERO),
        quarantined=sums.get("quarantined", ZERO),
        reversed=sums.get("reversed", ZERO),
        handed_over=sums.get("handed_over", ZERO),
        late=late,
    )
