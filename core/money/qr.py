"""QR payments taken at the door are verified against the channel (issue 16.9).

A ``field_qr`` upload names the channel's transaction (``qr_ref``: channel and
transaction id, as the payer's app shows it). It is not money in the ledger until the
channel confirms it: it waits in quarantine as *pending*, and the channel's notice or
statement line for that transaction is the one payment. When the notice comes first,
the upload is answered with that payment; when the upload comes first, the notice
resolves it (an append-only ``matched`` resolution). Either way the same money is one
payment, never two. An upload whose account or amount disagrees with the channel's
stays open for a supervisor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Channel, Payment
from core.models.ledger_extra import QuarantinedPayment
from core.models.review import ExceptionResolution

__all__ = ["PENDING", "QrRef", "match_pending", "released_for", "settled_by_channel"]

#: The quarantine reason of a QR upload waiting for its channel.
PENDING = "QR payment pending: waits for the channel's notice or statement"
#: Channels a QR code at the door is paid through.
QR_CHANNELS = frozenset({Channel.ALIPAY, Channel.WECHAT, Channel.BANK})


@dataclass(frozen=True)
class QrRef:
    channel: Channel
    txn_id: str

    def as_body(self) -> dict[str, str]:
        return {"channel": self.channel.value, "txn_id": self.txn_id}


def settled_by_channel(session: Session, ref: QrRef) -> Payment | None:
    """The channel's payment for ``ref``, if its notice or statement came in already."""
    payment: Payment | None = session.scalars(
        select(Payment).where(Payment.channel == ref.channel, Payment.channel_txn_id == ref.txn_id)
    ).one_or_none()
    return payment


def released_for(session: Session, channel: Channel, txn_id: str) -> uuid.UUID | None:
    """A QR upload for this transaction a supervisor already released into the ledger."""
    ref = {"channel": channel.value, "txn_id": txn_id}
    found: uuid.UUID | None = session.scalar(
        select(Payment.id)
        .join(QuarantinedPayment, QuarantinedPayment.id == Payment.id)
        .where(
            Payment.channel == Channel.FIELD_QR,
            QuarantinedPayment.body["qr_ref"].contains(ref),
        )
        .limit(1)
    )
    return found


def match_pending(session: Session, payment: Payment, actor_id: int) -> list[uuid.UUID]:
    """Resolve the pending QR uploads the channel payment ``payment`` confirms (same
    transaction, account and amount) as ``matched``; returns their ids."""
    ref = {"channel": payment.channel.value, "txn_id": payment.channel_txn_id}
    done = select(ExceptionResolution.exception_id)
    released = select(Payment.id)
    pending = session.scalars(
        select(QuarantinedPayment).where(
            QuarantinedPayment.channel == Channel.FIELD_QR.value,
            QuarantinedPayment.body["qr_ref"].contains(ref),
            QuarantinedPayment.account_id == payment.account_id,
            QuarantinedPayment.amount == payment.amount,
            QuarantinedPayment.id.not_in(done),
            QuarantinedPayment.id.not_in(released),
        )
    ).all()
    for held in pending:
        session.add(
            ExceptionResolution(
                exception_kind="quarantine",
                exception_id=held.id,
                station_id=held.station_id,
                action="matched",
                note=f"The {payment.channel.value} transaction is payment {payment.id}.",
                actor_id=actor_id,
            )
        )
    return [h.id for h in pending]
