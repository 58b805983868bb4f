"""Resolving the review queue: a supervisor's append-only record of how an exception ended.

Releases (quarantine) and reversals (overpayment) resolve an exception by themselves;
anything else (credit kept on the account, money refunded or returned to the payer, a
duplicate) is recorded here once, audited, and never changed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.errors import Conflict, NotAllowed, NotFound
from core.models import Payment
from core.models.ledger_extra import MoneyException
from core.models.review import RESOLUTION_ACTIONS, ExceptionResolution
from core.money import quarantine
from core.money.records import audit
from core.scope import Scope, require_staff

__all__ = ["RESOLUTION_ACTIONS", "resolve"]


def _target(session: Session, scope: Scope, exception_id: uuid.UUID) -> tuple[str, int, bool]:
    """(kind, station that resolves it, resolved already) of an exception the caller sees."""
    over = session.scalars(
        select(MoneyException).where(MoneyException.payment_id == exception_id)
    ).first()
    if over is not None:
        if not (scope.is_admin or over.station_id in scope.station_ids):
            raise NotFound("exception")
        reversed_ = session.scalar(select(Payment.id).where(Payment.reverses_id == exception_id))
        return "overpayment", over.station_id, reversed_ is not None
    try:
        row = quarantine._held(session, scope, exception_id)
    except NotFound:
        raise NotFound("exception") from None
    owner = row.owner_station_id or row[0].station_id
    if not (scope.is_admin or owner in scope.station_ids):
        raise NotAllowed("The account's station resolves this upload.")
    return "quarantine", owner, row.released_id is not None


def resolve(
    session: Session, scope: Scope, exception_id: uuid.UUID, action: str, note: str
) -> dict[str, Any]:
    """Record how ``exception_id`` was resolved; :class:`Conflict` if it already was.
    Returns the exception's entry as the queue lists it."""
    require_staff(scope)
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"quarantine:{exception_id}"},
    )
    kind, station_id, settled = _target(session, scope, exception_id)
    recorded = session.scalar(
        select(ExceptionResolution.action).where(ExceptionResolution.exception_id == exception_id)
    )
    if settled or recorded is not None:
        raise Conflict(f"This exception is resolved already ({recorded or 'in the ledger'}).")
    session.add(
        ExceptionResolution(
            exception_kind=kind,
            exception_id=exception_id,
            station_id=station_id,
            action=action,
            note=note,
            actor_id=scope.user_id,
        )
    )
    audit(
        session,
        "exception.resolved",
        exception_id,
        actor_id=scope.user_id,
        station_id=station_id,
        detail={"kind": kind, "action": action, "note": note},
    )
    session.flush()
    listed = quarantine.exceptions(session, scope, quarantine.State.RESOLVED, limit=500)
    return next(i for i in listed.items if i["id"] == str(exception_id))
