"""Reversals: a correction is a new ledger entry with negative allocations, never an edit."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, Rejected
from core.insert_once import insert_once
from core.models import Account, Channel, EntryKind, Payment, PaymentAllocation, Station, User
from core.money.canonical import body_hash
from core.money.cash import in_hand
from core.money.payments import PaymentResult, Status, allocations_of
from core.money.records import audit
from core.scope import Scope, get_scoped


@dataclass(frozen=True)
class ReversalInput:
    id: uuid.UUID
    reason: str
    device_id: str | None = None


def _stored(session: Session, reversal_id: uuid.UUID, digest: str) -> PaymentResult | None:
    stored = session.get(Payment, reversal_id, populate_existing=True)
    if stored is None:
        return None
    if stored.body_hash != digest:
        raise Rejected("id_conflict", "This id is already used by a different money record.")
    return PaymentResult(Status.REPLAYED, True, stored, allocations_of(session, reversal_id))


def _cash_still_held(session: Session, original: Payment) -> None:
    """Refuse to reverse field cash the collector no longer holds (it was handed over):
    cash in hand never goes negative; the station refunds such cash instead."""
    if original.channel is not Channel.FIELD_CASH or original.collector_id is None:
        return
    session.execute(
        select(User.id).where(User.id == original.collector_id).with_for_update(key_share=True)
    )
    account = session.get(Account, original.account_id)
    station = session.get(Station, account.station_id) if account is not None else None
    tz = ZoneInfo(station.timezone if station is not None else "Asia/Shanghai")
    held = in_hand(session, original.collector_id, tz)
    if held < original.amount:
        raise Rejected(
            "cash_handed_over",
            f"The collector holds {held:.2f} in cash, less than this payment: "
            "reverse it after the station returns the cash.",
            conflict=True,
        )


def reverse_payment(
    session: Session, scope: Scope, original_id: uuid.UUID, inp: ReversalInput
) -> PaymentResult:
    """Reverse ``original_id`` once; a resend of the same reversal is a replay.

    Raises :class:`NotFound` when the payment is not in scope and :class:`Rejected`
    when it is itself a reversal or has already been reversed by another entry.
    """
    digest = body_hash(
        {"id": inp.id, "reverses_id": original_id, "reason": inp.reason, "actor_id": scope.user_id}
    )
    found = _stored(session, inp.id, digest)
    if found is not None:
        return found
    original = get_scoped(session, Payment, original_id, scope)
    if original is None:
        raise NotFound("payment")
    if original.kind is not EntryKind.PAYMENT:
        raise Rejected("not_a_payment", "Only a payment can be reversed.")
    session.execute(
        select(Account.id).where(Account.id == original.account_id).with_for_update(key_share=True)
    )
    if session.scalar(select(Payment.id).where(Payment.reverses_id == original.id)) is not None:
        raise Rejected("already_reversed", "This payment has already been reversed.", conflict=True)
    _cash_still_held(session, original)
    if not insert_once(
        session,
        Payment,
        dict(
            id=inp.id,
            kind=EntryKind.REVERSAL,
            account_id=original.account_id,
            amount=original.amount,
            channel=original.channel,
            collector_id=original.collector_id,
            collected_at=dt.datetime.now(dt.UTC),
            device_id=inp.device_id,
            reverses_id=original.id,
            reason=inp.reason,
            actor_id=scope.user_id,
            body_hash=digest,
        ),
    ):
        found = _stored(session, inp.id, digest)
        if found is not None:
            return found
        raise Rejected("already_reversed", "This payment has already been reversed.", conflict=True)
    negatives = [
        PaymentAllocation(
            payment_id=inp.id, bill_id=a.bill_id, principal=-a.principal, late_fee=-a.late_fee
        )
        for a in allocations_of(session, original.id)
    ]
    session.add_all(negatives)
    account = session.get(Account, original.account_id)
    audit(
        session,
        "payment.reversed",
        inp.id,
        actor_id=scope.user_id,
        account_id=original.account_id,
        station_id=account.station_id if account is not None else None,
        device_id=inp.device_id,
        amount=original.amount,
        detail={"reverses_id": str(original.id), "reason": inp.reason},
    )
    session.flush()
    return PaymentResult(Status.CREATED, False, session.get(Payment, inp.id), negatives)
