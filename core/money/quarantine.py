"""Supervisor work on money held for review: quarantined uploads and overpayments.

A quarantined upload is *for* an account: the one it was sent for, or the one a
supervisor re-targeted it to (the newest :class:`QuarantineRetarget`, append-only and
audited). That account's station **owns** it and is the one that releases it into the
ledger; the station whose collector uploaded it sees it too, so cash a collector took
for another station's account is never stranded at either end.

An exception is **open** until something resolves it: a quarantined upload once it is
released, an overpayment once its payment is reversed. Resolved ones leave the open
list and stay in the history (``state`` ``resolved`` or ``all``).
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select, text, true, tuple_
from sqlalchemy.orm import Session, aliased

from core.errors import Conflict, Invalid, NotAllowed, NotFound, Rejected
from core.models import Account, Channel, Payment
from core.models.ledger_extra import MoneyException, QuarantinedPayment, QuarantineRetarget
from core.models.review import ExceptionResolution
from core.money import qr
from core.money.payments import PaymentInput, PaymentResult, record_payment
from core.money.records import audit
from core.scope import Scope

__all__ = ["Page", "State", "current_account_id", "exceptions", "release", "retarget"]

#: How many exceptions a page shows at most (and by default).
LIST_LIMIT = 100


class State(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


def _latest_retarget() -> Any:
    """The newest re-target of each quarantined upload (a LATERAL subquery)."""
    return (
        select(QuarantineRetarget.account_id, QuarantineRetarget.station_id)
        .where(QuarantineRetarget.quarantine_id == QuarantinedPayment.id)
        .order_by(QuarantineRetarget.id.desc())
        .limit(1)
        .lateral("retarget")
    )


def current_account_id() -> ColumnElement[int]:
    """The account a quarantined upload is for now (a scalar subquery on ``QuarantinedPayment``)."""
    newest = (
        select(QuarantineRetarget.account_id)
        .where(QuarantineRetarget.quarantine_id == QuarantinedPayment.id)
        .order_by(QuarantineRetarget.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(newest, QuarantinedPayment.account_id)


def _held_rows() -> Select[Any]:
    """Each quarantined upload with the account it is for now, its owner station and the
    payment that released it (if any)."""
    latest = _latest_retarget()
    sent_for = aliased(Account)
    released = aliased(Payment)
    return (
        select(
            QuarantinedPayment,
            func.coalesce(latest.c.account_id, QuarantinedPayment.account_id).label("account_id"),
            func.coalesce(latest.c.station_id, sent_for.station_id).label("owner_station_id"),
            latest.c.account_id.is_not(None).label("retargeted"),
            released.id.label("released_id"),
            released.recorded_at.label("released_at"),
            ExceptionResolution.id.label("record_id"),
            ExceptionResolution.action.label("record_action"),
            ExceptionResolution.created_at.label("record_at"),
        )
        .select_from(QuarantinedPayment)
        .outerjoin(latest, true())
        .outerjoin(sent_for, sent_for.id == QuarantinedPayment.account_id)
        .outerjoin(released, released.id == QuarantinedPayment.id)
        .outerjoin(ExceptionResolution, ExceptionResolution.exception_id == QuarantinedPayment.id)
    )


def _lock(session: Session, quarantine_id: uuid.UUID) -> None:
    """Serialise release and re-target of one upload (the table stays append-only: an
    advisory lock, not a row lock)."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"quarantine:{quarantine_id}"},
    )


def _visible(scope: Scope, *stations: int | None) -> bool:
    return scope.is_admin or any(s in scope.station_ids for s in stations if s is not None)


def _held(session: Session, scope: Scope, quarantine_id: uuid.UUID) -> Any:
    """The upload's row of :func:`_held_rows`, if the caller's stations may see it."""
    row = session.execute(_held_rows().where(QuarantinedPayment.id == quarantine_id)).one_or_none()
    if row is None or not _visible(scope, row[0].station_id, row.owner_station_id):
        raise NotFound("quarantined payment")
    return row


def _quarantine_entry(row: Any) -> dict[str, Any]:
    q: QuarantinedPayment = row[0]
    resolution = None
    if row.released_id is not None:
        resolution = {"kind": "released", "id": str(row.released_id), "at": row.released_at}
    elif row.record_id is not None:
        resolution = {"kind": row.record_action, "id": str(row.record_id), "at": row.record_at}
    return {
        "kind": "quarantine",
        "id": str(q.id),
        "account_id": row.account_id,
        "retargeted_from": q.account_id if row.retargeted else None,
        "station_id": q.station_id,
        "owner_station_id": row.owner_station_id,
        "amount": q.amount,
        "detail": q.reason,
        "collector_id": q.collector_id,
        "created_at": q.recorded_at,
        "resolution": resolution,
    }


def release(session: Session, scope: Scope, quarantine_id: uuid.UUID) -> PaymentResult:
    """Store a quarantined upload as the collector's payment, after a supervisor's review.

    The payment keeps the upload's id and body hash, so the phone's later resends are
    replays of it, and goes to the account the upload is for now. Raises
    :class:`NotFound` when neither the uploading nor the owning station is the caller's,
    :class:`NotAllowed` when only the uploading one is (the owner releases), and
    :class:`Rejected` when the upload is for no existing account (re-target it first).
    """
    _lock(session, quarantine_id)
    row = _held(session, scope, quarantine_id)
    held: QuarantinedPayment = row[0]
    if row.record_id is not None and row.released_id is None:
        raise Conflict(f"This upload was resolved already ({row.record_action}).")
    ref = held.body.get("qr_ref") if held.channel == Channel.FIELD_QR.value else None
    settled = isinstance(ref, dict) and qr.settled_by_channel(
        session, qr.QrRef(Channel(ref["channel"]), ref["txn_id"])
    )
    if row.released_id is None and settled:
        raise Conflict("The channel's payment for this QR transaction is in the ledger.")
    account = session.get(Account, row.account_id) if row.account_id else None
    if account is None:
        raise Rejected(
            "unknown_account",
            "The upload is for no account at your stations: re-target it to the right one.",
        )
    if not _visible(scope, account.station_id):
        raise NotAllowed(
            "The account's station releases this upload; re-target it if it was for an "
            "account of yours."
        )
    body = held.body
    inp = PaymentInput(
        id=held.id,
        account_id=account.id,
        amount=held.amount,
        channel=Channel(held.channel),
        collected_at=held.collected_at,
        device_id=held.device_id,
        # The bills named were the first account's: a re-targeted upload pays oldest first.
        bill_ids=() if row.retargeted else tuple(body.get("bill_ids") or ()),
        channel_txn_id=body.get("channel_txn_id"),
        receipt_no=body.get("receipt_no"),
    )
    return record_payment(
        session,
        scope,
        inp,
        skip_authorization=True,
        collector_id=held.collector_id,
        body_digest=held.body_hash,
    )


def retarget(
    session: Session, scope: Scope, quarantine_id: uuid.UUID, account_id: int, reason: str
) -> dict[str, Any]:
    """Record that a quarantined upload was for ``account_id``, an account of the caller's
    stations (append-only, audited); its station then owns the upload. Returns the
    upload's exception entry. :class:`Conflict` once the upload is released."""
    _lock(session, quarantine_id)
    row = _held(session, scope, quarantine_id)
    held: QuarantinedPayment = row[0]
    if row.released_id is not None:
        raise Conflict("This upload has been released into the ledger already.")
    account = session.get(Account, account_id) if 0 < account_id < 2**31 else None
    if account is None or not _visible(scope, account.station_id):
        raise Invalid({"account_id": ["No such account at your stations."]})
    if account.id == row.account_id:
        return _quarantine_entry(row)
    session.add(
        QuarantineRetarget(
            quarantine_id=held.id,
            account_id=account.id,
            station_id=account.station_id,
            actor_id=scope.user_id,
            reason=reason,
        )
    )
    audit(
        session,
        "payment.quarantine_retargeted",
        held.id,
        actor_id=scope.user_id,
        account_id=account.id,
        station_id=account.station_id,
        amount=held.amount,
        detail={"from_account_id": row.account_id, "to_account_id": account.id, "reason": reason},
    )
    session.flush()
    return _quarantine_entry(_held(session, scope, quarantine_id))


def _in(column: Any, scope: Scope) -> ColumnElement[bool]:
    if scope.is_admin:
        return true()
    clause: ColumnElement[bool] = column.in_(scope.station_ids)
    return clause


@dataclass(frozen=True)
class Page:
    """One page of the review queue, newest first; ``next`` continues after its last item."""

    items: list[dict[str, Any]]
    next: str | None


def _cursor(item: dict[str, Any]) -> str:
    raw = f"{item['created_at'].isoformat()}|{item['id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _parse_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, key = raw.split("|", 1)
        when = dt.datetime.fromisoformat(at)
        if when.tzinfo is None or len(key) > 64:
            raise ValueError(key)
        return when, key
    except (ValueError, UnicodeDecodeError):
        raise Invalid({"cursor": ["Not a cursor of this list."]}, location="query") from None


def exceptions(
    session: Session,
    scope: Scope,
    state: State = State.OPEN,
    *,
    limit: int = LIST_LIMIT,
    cursor: str | None = None,
) -> Page:
    """Overpayments and quarantined uploads the caller's stations see, open, resolved or
    all, newest first, ``limit`` at a time after ``cursor`` (keyset: stable while new
    exceptions arrive, so an old one can never be pushed out of reach)."""
    reversal = aliased(Payment)
    record = aliased(ExceptionResolution)
    over = (
        select(
            MoneyException,
            reversal.id.label("reversal_id"),
            reversal.recorded_at,
            record.id.label("record_id"),
            record.action,
            record.created_at.label("record_at"),
        )
        .outerjoin(reversal, reversal.reverses_id == MoneyException.payment_id)
        .outerjoin(record, record.exception_id == MoneyException.payment_id)
        .where(_in(MoneyException.station_id, scope))
    )
    held = _held_rows()
    held_stations = or_(
        _in(QuarantinedPayment.station_id, scope),
        _in(held.selected_columns.owner_station_id, scope),
    )
    held = held.where(held_stations)
    if state is not State.ALL:
        resolved = state is State.RESOLVED
        over_done = reversal.id.is_not(None) | record.id.is_not(None)
        over = over.where(over_done if resolved else ~over_done)
        columns = held.selected_columns
        held_done = columns.released_id.is_not(None) | columns.record_id.is_not(None)
        held = held.where(held_done if resolved else ~held_done)
    over_key = (MoneyException.created_at, cast(MoneyException.payment_id, String))
    held_key = (QuarantinedPayment.recorded_at, cast(QuarantinedPayment.id, String))
    if cursor is not None:
        after = _parse_cursor(cursor)
        over = over.where(tuple_(*over_key) < tuple_(*after))
        held = held.where(tuple_(*held_key) < tuple_(*after))
    items: list[dict[str, Any]] = []
    for e, reversal_id, reversed_at, record_id, action, record_at in session.execute(
        over.order_by(*(k.desc() for k in over_key)).limit(limit + 1)
    ):
        resolution = None
        if reversal_id is not None:
            resolution = {"kind": "reversed", "id": str(reversal_id), "at": reversed_at}
        elif record_id is not None:
            resolution = {"kind": action, "id": str(record_id), "at": record_at}
        items.append(
            {
                "kind": e.kind,
                "id": str(e.payment_id),
                "account_id": e.account_id,
                "station_id": e.station_id,
                "owner_station_id": e.station_id,
                "amount": e.amount,
                "detail": e.detail,
                "created_at": e.created_at,
                "resolution": resolution,
            }
        )
    rows = session.execute(held.order_by(*(k.desc() for k in held_key)).limit(limit + 1))
    items += [_quarantine_entry(row) for row in rows]
    items.sort(key=lambda i: (i["created_at"], i["id"]), reverse=True)
    page = items[:limit]
    return Page(page, _cursor(page[-1]) if len(items) > limit else None)
