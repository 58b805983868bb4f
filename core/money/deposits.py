"""Prepaid deposits (预存电费/电费储蓄) exactly once, and auto-payment from the balance.

A deposit is stored by its client-minted id (``ON CONFLICT (id) DO NOTHING``, then a
separate ``SELECT``). Whenever a deposit arrives or a bill is issued, :func:`autopay`
pays what the account owes from its balance, oldest first and late fee first, as an
ordinary ``payment`` with channel ``prepaid`` and an id derived from the trigger, linked by a
``prepaid_draw`` row. The account row is locked (``FOR NO KEY UPDATE``, as payments do)
while the balance is read and drawn, so the balance never goes negative.

Existing credit (an overpayment left unallocated on an earlier payment) is not moved
into bills: it belongs to that payment, whose overpayment exception fixes its amount
(the ``payment_balances`` invariant); it stays visible as ``credit`` in the amount due.
Functions take a ``Session``, flush but never commit, and import no Flask.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound, Rejected
from core.insert_once import insert_once
from core.models import Account, Bill, Channel, EntryKind, Payment, PaymentAllocation, Station
from core.models.group_prepaid import PrepaidDeposit, PrepaidDraw
from core.money import amount_due, local_date, plan_allocation
from core.money.canonical import body_hash, canonical
from core.money.payments import MAX_CLOCK_SKEW, Status
from core.money.prepaid import (
    autopay_amount,
    bill_trigger,
    deposit_trigger,
    draw_payment_id,
    prepaid_balance,
)
from core.money.records import audit
from core.scope import Scope, get_scoped

#: How money reaches a prepaid balance (staff record the counter, relay the others).
DEPOSIT_CHANNELS = frozenset(
    {Channel.COUNTER, Channel.KIOSK, Channel.ALIPAY, Channel.WECHAT, Channel.BANK}
)


@dataclass(frozen=True)
class DepositInput:
    id: uuid.UUID
    account_id: int
    amount: Decimal
    channel: Channel
    collected_at: dt.datetime
    device_id: str | None = None


@dataclass(frozen=True)
class Draw:
    payment: Payment
    allocations: tuple[PaymentAllocation, ...]
    trigger: str
    replay: bool


@dataclass
class DepositResult:
    status: Status
    replay: bool
    deposit: PrepaidDeposit
    draw: Draw | None
    balance: Decimal


def _lock(session: Session, account_id: int) -> Account | None:
    return session.scalars(
        select(Account).where(Account.id == account_id).with_for_update(key_share=True)
    ).one_or_none()


def _stored_draw(session: Session, trigger: str, account_id: int) -> Draw | None:
    """The draw ``trigger`` made for ``account_id``, if any. A payment holding the
    trigger's id that is not that draw is refused, never taken for it (it would leave
    the bill unpaid and the balance untouched)."""
    draw = session.scalars(
        select(PrepaidDraw)
        .where(PrepaidDraw.trigger == trigger, PrepaidDraw.account_id == account_id)
        .order_by(PrepaidDraw.created_at)
        .limit(1)
    ).one_or_none()
    payment_id = draw.payment_id if draw is not None else draw_payment_id(trigger)
    payment = session.get(Payment, payment_id, populate_existing=True)
    if payment is None:
        return None
    if draw is None or payment.account_id != account_id or payment.channel is not Channel.PREPAID:
        raise Rejected("id_conflict", "The draw's id is held by another money record.")
    allocations = tuple(
        session.scalars(
            select(PaymentAllocation)
            .where(PaymentAllocation.payment_id == payment.id)
            .order_by(PaymentAllocation.id)
        )
    )
    return Draw(payment, allocations, trigger, True)


def autopay(
    session: Session,
    account_id: int,
    trigger: str,
    *,
    actor_id: int,
    now: dt.datetime | None = None,
) -> Draw | None:
    """Pay what ``account_id`` owes from its prepaid balance, once per ``trigger``.

    Returns the (possibly stored) draw, or None when the balance or the debt is zero.
    Re-running a trigger returns its stored draw and pays nothing more.
    """
    account = _lock(session, account_id)
    if account is None:
        raise NotFound("account")
    stored = _stored_draw(session, trigger, account.id)
    if stored is not None:
        return stored
    station = session.get(Station, account.station_id)
    assert station is not None
    now = now or dt.datetime.now(dt.UTC)
    due = amount_due(session, account.id, local_date(now, ZoneInfo(station.timezone)))
    take = autopay_amount(prepaid_balance(session, account.id), due.total)
    if take <= 0:
        return None
    plan = plan_allocation(due, take)
    assert plan.unallocated == 0
    pid = draw_payment_id(trigger)
    if not insert_once(
        session,
        Payment,
        dict(
            id=pid,
            kind=EntryKind.PAYMENT,
            account_id=account.id,
            amount=take,
            channel=Channel.PREPAID,
            collected_at=now,
            actor_id=actor_id,
            body_hash=body_hash({"trigger": trigger, "account_id": account.id, "amount": take}),
        ),
    ):
        return _stored_draw(session, trigger, account.id)
    session.add(PrepaidDraw(payment_id=pid, account_id=account.id, amount=take, trigger=trigger))
    allocations = tuple(
        PaymentAllocation(
            payment_id=pid, bill_id=line.bill_id, principal=line.principal, late_fee=line.late_fee
        )
        for line in plan.lines
    )
    session.add_all(allocations)
    audit(
        session,
        "payment.created",
        pid,
        actor_id=actor_id,
        account_id=account.id,
        station_id=account.station_id,
        amount=take,
        detail={"channel": Channel.PREPAID.value, "trigger": trigger},
    )
    session.flush()
    payment = session.get(Payment, pid)
    assert payment is not None
    return Draw(payment, allocations, trigger, False)


def on_bill_issued(
    session: Session, bill_id: int, *, actor_id: int, now: dt.datetime | None = None
) -> Draw | None:
    """The billing hook: a new bill is paid from the balance at once, if there is one."""
    bill = session.get(Bill, bill_id)
    if bill is None:
        raise NotFound("bill")
    return autopay(session, bill.account_id, bill_trigger(bill_id), actor_id=actor_id, now=now)


def autopay_latest_bill(
    session: Session, scope: Scope, account_id: int, *, now: dt.datetime | None = None
) -> Draw | None:
    """Run the bill hook for the account's newest bill (e.g. after a billing import)."""
    account = get_scoped(session, Account, account_id, scope)
    if account is None:
        raise NotFound("account")
    bill_id = session.scalar(select(func.max(Bill.id)).where(Bill.account_id == account_id))
    if bill_id is None:
        return None
    return on_bill_issued(session, bill_id, actor_id=scope.user_id, now=now)


def _body(inp: DepositInput, uploader_id: int) -> dict[str, object]:
    return canonical(
        {
            "id": inp.id,
            "account_id": inp.account_id,
            "amount": inp.amount,
            "channel": inp.channel,
            "collected_at": inp.collected_at,
            "device_id": inp.device_id,
            "uploader_id": uploader_id,
        }
    )


def record_deposit(
    session: Session, scope: Scope, inp: DepositInput, *, now: dt.datetime | None = None
) -> DepositResult:
    """Store a deposit exactly once, then auto-pay from the balance.

    Raises :class:`NotFound` when the account is not in scope and :class:`Rejected` for
    a reused id with another body, a channel not allowed or a future collection time.
    """
    if get_scoped(session, Account, inp.account_id, scope) is None:
        raise NotFound("account")
    digest = body_hash(_body(inp, scope.user_id))
    stored = session.get(PrepaidDeposit, inp.id, populate_existing=True)
    if stored is not None:
        return _replay(session, stored, digest)
    if inp.channel not in DEPOSIT_CHANNELS:
        raise Rejected("channel_not_allowed", f"A deposit does not come through {inp.channel}.")
    now = now or dt.datetime.now(dt.UTC)
    if inp.collected_at > now + MAX_CLOCK_SKEW:
        raise Rejected("collected_in_future", "collected_at is in the future.")
    account = _lock(session, inp.account_id)
    assert account is not None
    if not insert_once(
        session,
        PrepaidDeposit,
        dict(
            id=inp.id,
            account_id=account.id,
            amount=inp.amount,
            channel=inp.channel,
            collected_at=inp.collected_at,
            device_id=inp.device_id,
            actor_id=scope.user_id,
            body_hash=digest,
        ),
    ):
        stored = session.get(PrepaidDeposit, inp.id, populate_existing=True)
        assert stored is not None
        return _replay(session, stored, digest)
    audit(
        session,
        "deposit.created",
        inp.id,
        actor_id=scope.user_id,
        account_id=account.id,
        station_id=account.station_id,
        device_id=inp.device_id,
        amount=inp.amount,
        detail={"channel": inp.channel.value},
    )
    session.flush()
    draw = autopay(session, account.id, deposit_trigger(inp.id), actor_id=scope.user_id, now=now)
    deposit = session.get(PrepaidDeposit, inp.id)
    assert deposit is not None
    return DepositResult(Status.CREATED, False, deposit, draw, prepaid_balance(session, account.id))


def _replay(session: Session, stored: PrepaidDeposit, digest: str) -> DepositResult:
    if stored.body_hash != digest:
        raise Rejected("id_conflict", "This id is already used by a different money record.")
    return DepositResult(
        Status.REPLAYED,
        True,
        stored,
        _stored_draw(session, deposit_trigger(stored.id), stored.account_id),
        prepaid_balance(session, stored.account_id),
    )


@dataclass(frozen=True)
class PrepaidHistory:
    account_id: int
    balance: Decimal
    deposits: list[PrepaidDeposit]
    #: (draw, reversed?) newest first.
    draws: list[tuple[PrepaidDraw, bool]]


def history(session: Session, scope: Scope, account_id: int, limit: int = 200) -> PrepaidHistory:
    """The account's prepaid balance, deposits and draws; :class:`NotFound` if not in scope."""
    if get_scoped(session, Account, account_id, scope) is None:
        raise NotFound("account")
    deposits = list(
        session.scalars(
            select(PrepaidDeposit)
            .where(PrepaidDeposit.account_id == account_id)
            .order_by(PrepaidDeposit.recorded_at.desc(), PrepaidDeposit.id)
            .limit(limit)
        )
    )
    reversed_ids = select(Payment.reverses_id).where(Payment.reverses_id.is_not(None))
    draws = session.execute(
        select(PrepaidDraw, PrepaidDraw.payment_id.in_(reversed_ids))
        .where(PrepaidDraw.account_id == account_id)
        .order_by(PrepaidDraw.created_at.desc(), PrepaidDraw.payment_id)
        .limit(limit)
    ).all()
    return PrepaidHistory(
        account_id,
        prepaid_balance(session, account_id),
        deposits,
        [(d, bool(r)) for d, r in draws],
    )
