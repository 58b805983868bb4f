"""Receipt numbers and the money audit trail, written in the caller's transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.models.ledger_extra import LateFeeRate, MoneyAudit, ReceiptCounter

#: Channels whose payments get a station receipt number.
RECEIPT_CHANNELS = frozenset({"field_cash", "field_qr", "counter"})


def next_receipt_no(session: Session, station_id: int, year: int) -> str:
    """The station's next receipt number for ``year``, e.g. ``S12-2026-000042``.

    The counter row stays locked until commit, so numbers are unique and, since a
    rolled-back transaction rolls the counter back too, gap-free.
    """
    stmt = (
        insert(ReceiptCounter)
        .values(station_id=station_id, year=year, last_no=1)
        .on_conflict_do_update(
            index_elements=[ReceiptCounter.station_id, ReceiptCounter.year],
            set_={"last_no": ReceiptCounter.last_no + 1},
        )
        .returning(ReceiptCounter.last_no)
    )
    number = session.execute(stmt).scalar_one()
    return f"S{station_id}-{year}-{number:06d}"


def audit(
    session: Session,
    event: str,
    entity_id: uuid.UUID,
    *,
    actor_id: int,
    account_id: int | None = None,
    station_id: int | None = None,
    device_id: str | None = None,
    amount: Decimal | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit row for a money event (never for a replay)."""
    session.add(
        MoneyAudit(
            event=event,
            entity_id=entity_id,
            account_id=account_id,
            station_id=station_id,
            actor_id=actor_id,
            device_id=device_id,
            amount=amount,
            detail=detail or {},
        )
    )


def audit_rate(session: Session, rate: LateFeeRate, actor_id: int) -> None:
    """Audit a new late-fee rate version (it changes what every account owes)."""
    session.add(
        MoneyAudit(
            event="rate.added",
            entity_id=uuid.uuid5(uuid.NAMESPACE_OID, f"late_fee_rate:{rate.id}"),
            station_id=rate.station_id,
            actor_id=actor_id,
            detail={
                "effective_from": rate.effective_from.isoformat(),
                "residential": str(rate.residential),
                "other_current_year": str(rate.other_current_year),
                "other_earlier_years": str(rate.other_earlier_years),
                "minimum": str(rate.minimum),
            },
        )
    )
