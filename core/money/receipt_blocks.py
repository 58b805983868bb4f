"""Receipt numbers for offline doors: device series, blocks, and the once-only check.

A collector's phone asks for a block of counters while online (:func:`issue_block`) and
prints ``<prefix><counter>`` on each cash or QR receipt, offline too. When the payment
is uploaded, :func:`check_receipt` accepts the number only if it is in a block of the
uploader's own device series and no other money record carries it; the unique
``payment.receipt_no`` makes it once for good. Functions flush, never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.errors import Rejected
from core.insert_once import insert_once
from core.models import Payment, Station
from core.models.ledger_extra import QuarantinedPayment
from core.models.receipts import ReceiptBlock, ReceiptSeries

#: Counters per block: a day of cash payments and then some; the phone asks for the next
#: block while it still holds some numbers.
BLOCK_SIZE = 50
#: Counters print with six digits.
COUNTER_DIGITS = 6
MAX_COUNTER = 10**COUNTER_DIGITS - 1


@dataclass(frozen=True)
class Block:
    prefix: str
    first: int
    last: int
    device_id: str
    station_code: str
    series_id: int


def receipt_number(prefix: str, counter: int) -> str:
    """The printed receipt number of ``counter`` in a series."""
    return f"{prefix}{counter:0{COUNTER_DIGITS}d}"


def _series(session: Session, station: Station, collector_id: int, device_id: str) -> ReceiptSeries:
    """The device's series, created on first use; locked until commit."""

    def row() -> dict[str, object]:
        series_id = session.scalar(select(func.nextval("receipt_series_id_seq")))
        return {
            "id": series_id,
            "station_id": station.id,
            "collector_id": collector_id,
            "device_id": device_id,
            "prefix": f"{station.code}-D{series_id}-",
        }

    insert_once(session, ReceiptSeries, row, key=["collector_id", "device_id"], stamp=False)
    series = session.scalars(
        select(ReceiptSeries).where(
            ReceiptSeries.collector_id == collector_id, ReceiptSeries.device_id == device_id
        )
    ).one()
    _lock(session, series.id)
    return series


def _lock(session: Session, series_id: int) -> None:
    """Serialise issuing and checking the numbers of one series until commit (the tables
    are append-only: an advisory lock, not a row lock)."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"receipt_series:{series_id}"},
    )


def issue_block(
    session: Session, station: Station, collector_id: int, device_id: str, size: int = BLOCK_SIZE
) -> Block:
    """A new block of ``size`` counters for the collector's device, after its last one.

    Raises :class:`Rejected` (``receipt_series_full``) when the series has no counters left.
    """
    series = _series(session, station, collector_id, device_id)
    last = session.scalar(
        select(func.max(ReceiptBlock.last)).where(ReceiptBlock.series_id == series.id)
    )
    first = (last or 0) + 1
    if first + size - 1 > MAX_COUNTER:
        raise Rejected("receipt_series_full", "This device's receipt series is used up.")
    block = ReceiptBlock(series_id=series.id, first=first, last=first + size - 1)
    session.add(block)
    session.flush()
    return Block(series.prefix, block.first, block.last, device_id, station.code, series.id)


def blocks_of(session: Session, collector_id: int, device_id: str) -> list[Block]:
    """The blocks issued to the collector's device, oldest first."""
    rows = session.execute(
        select(ReceiptSeries, ReceiptBlock, Station.code)
        .join(ReceiptBlock, ReceiptBlock.series_id == ReceiptSeries.id)
        .join(Station, Station.id == ReceiptSeries.station_id)
        .where(ReceiptSeries.collector_id == collector_id, ReceiptSeries.device_id == device_id)
        .order_by(ReceiptBlock.first)
    ).all()
    return [Block(s.prefix, b.first, b.last, device_id, code, s.id) for s, b, code in rows]


def check_receipt(
    session: Session,
    receipt_no: str,
    collector_id: int,
    device_id: str | None,
    payment_id: uuid.UUID,
) -> None:
    """Accept ``receipt_no`` for a new payment from ``collector_id``'s ``device_id``, or
    raise :class:`Rejected`: ``receipt_other_device`` (not this device's series),
    ``receipt_outside_blocks`` (no block of the series holds it), ``receipt_reused`` (a
    stored or held money record other than ``payment_id`` carries it). The series stays
    locked until commit, so two uploads of one number cannot both pass.
    """
    prefix, _, digits = receipt_no.rpartition("-")
    series = session.scalars(
        select(ReceiptSeries).where(ReceiptSeries.prefix == f"{prefix}-")
    ).one_or_none()
    if series is None or series.collector_id != collector_id or series.device_id != device_id:
        raise Rejected(
            "receipt_other_device",
            "This receipt number was not issued to this collector's device.",
        )
    _lock(session, series.id)
    counter = int(digits) if digits.isdigit() and len(digits) == COUNTER_DIGITS else -1
    held = session.scalar(
        select(ReceiptBlock.id).where(
            ReceiptBlock.series_id == series.id,
            ReceiptBlock.first <= counter,
            ReceiptBlock.last >= counter,
        )
    )
    if held is None:
        raise Rejected(
            "receipt_outside_blocks",
            "This receipt number is outside the blocks issued to the device.",
        )
    used = session.scalar(
        select(Payment.id).where(Payment.receipt_no == receipt_no, Payment.id != payment_id)
    )
    if used is None:
        used = session.scalar(
            select(QuarantinedPayment.id).where(
                QuarantinedPayment.body["receipt_no"].astext == receipt_no,
                QuarantinedPayment.id != payment_id,
            )
        )
    if used is not None:
        raise Rejected("receipt_reused", "This receipt number is already on another payment.")
