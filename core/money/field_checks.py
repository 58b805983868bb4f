"""Checks on money that staff record by hand (field cash, field QR, counter).

Two ways to game the ledger that the schema alone cannot see:

* **backdating**: a ``collected_at`` far in the past would be allocated as of that day
  and dodge the late fees accrued since. Money collected longer ago than the window
  (default 7 days), or on a day the collector's cash was already counted, is
  quarantined for a supervisor instead (cash is never dropped);
* **implausible amounts**: a field amount far above what the account owes (a typo,
  or cash parked on an account) is refused unless the client confirms it, and a
  confirmed one above the station's cap is refused outright;
* **burying the review queue**: each uploader may put at most ``REVIEW_DAILY_CAP``
  hand-recorded uploads into quarantine per station-local day; past it the upload is
  refused loudly (the phone keeps it and says to call the supervisor).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.errors import Rejected
from core.models import Channel
from core.models.ledger_extra import CashReconciliation, QuarantinedPayment

__all__ = [
    "DEFAULT_BACKDATE_WINDOW",
    "FIELD_CHANNELS",
    "HAND_CHANNELS",
    "backdating_reason",
    "check_plausible",
    "check_review_cap",
    "plausible_limit",
]

#: How long after its collection an upload may still be allocated as of that day.
DEFAULT_BACKDATE_WINDOW = dt.timedelta(days=7)
#: Channels recorded by staff, whose ``collected_at`` they choose.
HAND_CHANNELS = frozenset({Channel.FIELD_CASH, Channel.FIELD_QR, Channel.COUNTER})
#: Money taken at the door: checked for plausible amounts.
FIELD_CHANNELS = frozenset({Channel.FIELD_CASH, Channel.FIELD_QR})
#: A field amount above ``PLAUSIBLE_FACTOR x owed + PLAUSIBLE_SLACK`` needs a confirmation.
PLAUSIBLE_FACTOR = Decimal(2)
PLAUSIBLE_SLACK = Decimal("500.00")
#: Hand-recorded uploads one user may quarantine per station-local day.
REVIEW_DAILY_CAP = 30


def backdating_reason(
    session: Session,
    channel: Channel,
    collector_id: int,
    collected_at: dt.datetime,
    on: dt.date,
    now: dt.datetime,
    window: dt.timedelta | None,
) -> str | None:
    """Why money collected at ``collected_at`` (station day ``on``) must wait for review
    instead of being allocated as of that day, or None.

    Parameters
    ----------
    window
        The backdating window; ``None`` checks only the cash counts.
    """
    if channel not in HAND_CHANNELS:
        return None
    if window is not None and collected_at < now - window:
        return f"collected more than {window.days} days before it was recorded"
    if channel is Channel.FIELD_CASH:
        counted = session.scalar(
            select(func.max(CashReconciliation.business_date)).where(
                CashReconciliation.collector_id == collector_id
            )
        )
        if counted is not None and on <= counted:
            return f"collected on {on}, a day the collector's cash was counted ({counted})"
    return None


def plausible_limit(owed: Decimal) -> Decimal:
    """The largest field amount accepted without a confirmation for an account owing ``owed``."""
    return PLAUSIBLE_FACTOR * max(owed, Decimal("0.00")) + PLAUSIBLE_SLACK


def check_plausible(
    channel: Channel, amount: Decimal, owed: Decimal, cap: Decimal, *, confirmed: bool
) -> None:
    """Refuse a field amount far above ``owed`` unless ``confirmed``, and a confirmed one
    above the station's ``cap``. Raises :class:`Rejected` (``amount_unconfirmed``,
    ``amount_above_cap``)."""
    if channel not in FIELD_CHANNELS or amount <= plausible_limit(owed):
        return
    if not confirmed:
        raise Rejected(
            "amount_unconfirmed",
            f"{amount:.2f} is far above the {owed:.2f} the account owes: "
            "send confirm_amount=true if it is right.",
        )
    if amount > cap:
        raise Rejected(
            "amount_above_cap",
            f"{amount:.2f} is above the station's cap of {cap:.2f} for a field payment "
            "beyond what is owed: record it at the counter.",
        )


def check_review_cap(session: Session, uploader_id: int, tz: str) -> None:
    """Refuse (:class:`Rejected` ``review_queue_full``) a quarantine past the uploader's
    daily cap. Serialised per uploader, so parallel uploads cannot slip past it."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"review-cap:{uploader_id}"},
    )
    day_start = func.timezone(tz, func.date_trunc("day", func.timezone(tz, func.now())))
    held = session.scalar(
        select(func.count())
        .select_from(QuarantinedPayment)
        .where(
            QuarantinedPayment.collector_id == uploader_id,
            QuarantinedPayment.recorded_at >= day_start,
        )
    )
    if int(held or 0) >= REVIEW_DAILY_CAP:
        raise Rejected(
            "review_queue_full",
            f"{REVIEW_DAILY_CAP} uploads of yours already wait for review today: keep this "
            "one on the phone and call your supervisor.",
        )
