"""Supervisor work on quarantined uploads: release one into the ledger."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from core.errors import NotFound, Rejected
from core.models import Account, Channel
from core.models.ledger_extra import QuarantinedPayment
from core.money.payments import PaymentInput, PaymentResult, record_payment
from core.scope import Scope


def release(session: Session, scope: Scope, quarantine_id: uuid.UUID) -> PaymentResult:
    """Store a quarantined upload as the collector's payment, after a supervisor's review.

    The payment keeps the upload's id and body hash, so the phone's later resends
    are replays of it. Raises :class:`NotFound` when not in the supervisor's stations.
    """
    held = session.get(QuarantinedPayment, quarantine_id)
    if held is None or not (scope.is_admin or held.station_id in scope.station_ids):
        raise NotFound("quarantined payment")
    account = session.get(Account, held.account_id)
    if account is None or not (scope.is_admin or account.station_id in scope.station_ids):
        raise Rejected("unknown_account", "The account does not exist at your stations.")
    body = held.body
    inp = PaymentInput(
        id=held.id,
        account_id=held.account_id,
        amount=held.amount,
        channel=Channel(held.channel),
        collected_at=held.collected_at,
        device_id=held.device_id,
        bill_ids=tuple(body.get("bill_ids") or ()),
        channel_txn_id=body.get("channel_txn_id"),
    )
    return record_payment(
        session, scope, inp, skip_authorization=True, collector_id=held.collector_id
    )
