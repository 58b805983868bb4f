"""Group payments (集团客户) exactly once: one parent record, one child payment per account.

The parent ``group_payment`` row is the idempotency arbiter (``INSERT ... ON CONFLICT
(id) DO NOTHING RETURNING``, then a separate ``SELECT``). In the same transaction each
account's share becomes an ordinary ``payment`` with id derived from (parent id, account id)
and its allocations, so it counts in that account's amount due at once and every
existing ledger invariant applies to it unchanged. What no account needed stays on the
parent as ``unallocated`` (group credit). Functions take a ``Session``, flush but never
commit, and import no Flask.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound, Rejected
from core.insert_once import insert_once
from core.models import (
    Account,
    Channel,
    EntryKind,
    Payment,
    PaymentAllocation,
    Role,
    Station,
)
from core.models.group_prepaid import GroupPayment, GroupPaymentPart
from core.models.ledger_extra import MoneyException
from core.money import local_date
from core.money.canonical import body_hash, canonical
from core.money.due_many import dues_of
from core.money.group import GroupPlan, part_payment_id, plan_group
from core.money.payable import payable
from core.money.payments import (
    MAX_CLOCK_SKEW,
    ONLINE_CHANNELS,
    Status,
    channel_payment_id,
)
from core.money.records import audit
from core.scope import Scope, restrict

#: Channels staff may record a group payment through themselves (counter, bank transfer).
STAFF_GROUP_CHANNELS: dict[Role, frozenset[Channel]] = {
    Role.SUPERVISOR: frozenset({Channel.COUNTER, Channel.BANK}),
    Role.ADMIN: frozenset(
        {Channel.COUNTER, Channel.BANK, Channel.ALIPAY, Channel.WECHAT, Channel.KIOSK}
    ),
}
#: Online channels whose notices may carry a group payment (prepaid is internal).
NOTICE_GROUP_CHANNELS = ONLINE_CHANNELS - {Channel.PREPAID}
MAX_GROUP_ACCOUNTS = 5000


@dataclass(frozen=True)
class GroupPaymentInput:
    id: uuid.UUID
    group_code: str
    amount: Decimal
    channel: Channel
    collected_at: dt.datetime
    device_id: str | None = None
    #: Explicit (account id, amount) shares; None: oldest first across the group.
    split: tuple[tuple[int, Decimal], ...] | None = None
    channel_txn_id: str | None = None


@dataclass(frozen=True)
class PartResult:
    payment_id: uuid.UUID
    account_id: int
    amount: Decimal
    allocations: tuple[PaymentAllocation, ...]
    overpayment: Decimal


@dataclass
class GroupResult:
    status: Status
    replay: bool
    payment: GroupPayment
    parts: list[PartResult] = field(default_factory=list)


def group_accounts(
    session: Session, scope: Scope, code: str, *, lock: bool = False
) -> list[Account]:
    """The group's accounts the scope may see, by id (locked ``FOR NO KEY UPDATE``)."""
    stmt = restrict(
        select(Account).where(Account.group_code == code).order_by(Account.id),
        Account,
        scope,
    ).limit(MAX_GROUP_ACCOUNTS)
    if lock:
        stmt = stmt.with_for_update(key_share=True)
    return list(session.scalars(stmt))


def _body(inp: GroupPaymentInput, uploader_id: int) -> dict[str, object]:
    return canonical(
        {
            "id": inp.id,
            "group_code": inp.group_code,
            "amount": inp.amount,
            "channel": inp.channel,
            "collected_at": inp.collected_at,
            "device_id": inp.device_id,
            "split": None if inp.split is None else [[a, v] for a, v in sorted(inp.split)],
            "channel_txn_id": inp.channel_txn_id,
            "uploader_id": uploader_id if inp.channel_txn_id is None else None,
        }
    )


def parts_of(session: Session, group_payment_id: uuid.UUID) -> list[PartResult]:
    """The child payments of a group payment, by account."""
    rows = session.execute(
        select(GroupPaymentPart.payment_id, GroupPaymentPart.account_id, Payment.amount)
        .join(Payment, Payment.id == GroupPaymentPart.payment_id)
        .where(GroupPaymentPart.group_payment_id == group_payment_id)
        .order_by(GroupPaymentPart.account_id)
    ).all()
    out = []
    for payment_id, account_id, amount in rows:
        allocations = tuple(
            session.scalars(
                select(PaymentAllocation)
                .where(PaymentAllocation.payment_id == payment_id)
                .order_by(PaymentAllocation.id)
            )
        )
        over = session.scalar(
            select(MoneyException.amount).where(
                MoneyException.payment_id == payment_id, MoneyException.kind == "overpayment"
            )
        )
        out.append(PartResult(payment_id, account_id, amount, allocations, over or Decimal("0.00")))
    return out


def _stored(session: Session, inp_id: uuid.UUID, digest: str) -> GroupResult | None:
    stored = session.get(GroupPayment, inp_id, populate_existing=True)
    if stored is None:
        return None
    if stored.body_hash != digest:
        raise Rejected("id_conflict", "This id is already used by a different money record.")
    return GroupResult(Status.REPLAYED, True, stored, parts_of(session, inp_id))


def _check_channel(scope: Scope, inp: GroupPaymentInput) -> None:
    if inp.channel_txn_id is not None:
        if inp.channel not in NOTICE_GROUP_CHANNELS:
            raise Rejected("channel_not_allowed", "Channel transactions come from online channels.")
        if inp.id != channel_payment_id(inp.channel, inp.channel_txn_id):
            raise Rejected("bad_id", "A channel transaction's id derives from the channel's id.")
    elif inp.channel not in STAFF_GROUP_CHANNELS.get(scope.role, frozenset()):
        raise Rejected(
            "channel_not_allowed", f"A {scope.role.value} may not record a group {inp.channel}."
        )


def record_group_payment(
    session: Session, scope: Scope, inp: GroupPaymentInput, *, now: dt.datetime | None = None
) -> GroupResult:
    """Store ``inp`` exactly once and spread it over the group's accounts in scope.

    Raises :class:`NotFound` when the scope sees no account of the group, and
    :class:`Rejected` for a reused id with another body, a channel not allowed, a
    future collection time or a split that does not add up or names other accounts.
    """
    if not group_accounts(session, scope, inp.group_code):
        raise NotFound("group")
    digest = body_hash(_body(inp, scope.user_id))
    found = _stored(session, inp.id, digest)
    if found is not None:
        return found
    _check_channel(scope, inp)
    if inp.channel_txn_id is not None and session.get(Payment, inp.id) is not None:
        raise Rejected(
            "duplicate_channel_txn", "This channel transaction is already stored for an account."
        )
    now = now or dt.datetime.now(dt.UTC)
    if inp.collected_at > now + MAX_CLOCK_SKEW:
        raise Rejected("collected_in_future", "collected_at is in the future.")
    accounts = group_accounts(session, scope, inp.group_code, lock=True)
    station = session.get(Station, accounts[0].station_id)
    assert station is not None
    tz = ZoneInfo(station.timezone)
    on = local_date(inp.collected_at, tz)
    dues = [payable(session, a.id, on, local_date(now, tz)) for a in accounts]
    split = None if inp.split is None else dict(inp.split)
    if split is not None and len(split) != len(inp.split or ()):
        raise Rejected("bad_split", "An account appears twice in the split.")
    try:
        plan = plan_group(dues, inp.amount, split)
    except ValueError as error:
        raise Rejected("bad_split", str(error)) from None

    if not insert_once(
        session,
        GroupPayment,
        dict(
            id=inp.id,
            group_code=inp.group_code,
            amount=inp.amount,
            unallocated=plan.unallocated,
            channel=inp.channel,
            channel_txn_id=inp.channel_txn_id,
            collected_at=inp.collected_at,
            device_id=inp.device_id,
            actor_id=scope.user_id,
            body_hash=digest,
        ),
    ):  # somebody else stored this id (or this channel transaction) first
        found = _stored(session, inp.id, digest)
        if found is None:
            raise Rejected("duplicate_channel_txn", "This channel transaction is already stored.")
        return found
    by_id = {a.id: a for a in accounts}
    parts = _write_parts(session, scope, inp, plan, by_id, on)
    audit(
        session,
        "group_payment.created",
        inp.id,
        actor_id=scope.user_id,
        station_id=station.id,
        device_id=inp.device_id,
        amount=inp.amount,
        detail={
            "group_code": inp.group_code,
            "channel": inp.channel.value,
            "accounts": len(parts),
            "unallocated": f"{plan.unallocated:.2f}",
        },
    )
    session.flush()
    stored = session.get(GroupPayment, inp.id)
    assert stored is not None
    return GroupResult(Status.CREATED, False, stored, parts)


def _write_parts(
    session: Session,
    scope: Scope,
    inp: GroupPaymentInput,
    plan: GroupPlan,
    accounts: dict[int, Account],
    on: dt.date,
) -> list[PartResult]:
    parts: list[PartResult] = []
    for share in plan.shares:
        account = accounts[share.account_id]
        pid = part_payment_id(inp.id, share.account_id)
        session.add(
            Payment(
                id=pid,
                kind=EntryKind.PAYMENT,
                account_id=account.id,
                amount=share.amount,
                channel=inp.channel,
                collected_at=inp.collected_at,
                device_id=inp.device_id,
                actor_id=scope.user_id,
                body_hash=body_hash(
                    {"group_payment_id": inp.id, "account_id": account.id, "amount": share.amount}
                ),
            )
        )
        session.flush()
        session.add(
            GroupPaymentPart(payment_id=pid, group_payment_id=inp.id, account_id=account.id)
        )
        allocations = tuple(
            PaymentAllocation(
                payment_id=pid,
                bill_id=line.bill_id,
                principal=line.principal,
                late_fee=line.late_fee,
            )
            for line in share.plan.lines
        )
        session.add_all(allocations)
        over = share.plan.unallocated
        if over > 0:
            session.add(
                MoneyException(
                    kind="overpayment",
                    payment_id=pid,
                    account_id=account.id,
                    station_id=account.station_id,
                    amount=over,
                    detail=f"{over:.2f} of group payment {inp.id} beyond what the account "
                    f"owed on {on}.",
                )
            )
        audit(
            session,
            "payment.created",
            pid,
            actor_id=scope.user_id,
            account_id=account.id,
            station_id=account.station_id,
            device_id=inp.device_id,
            amount=share.amount,
            detail={"channel": inp.channel.value, "group_payment_id": str(inp.id)},
        )
        parts.append(PartResult(pid, account.id, share.amount, allocations, over))
    return parts


@dataclass(frozen=True)
class AccountDue:
    account: Account
    principal: Decimal
    late_fee: Decimal
    total: Decimal
    credit: Decimal


@dataclass(frozen=True)
class GroupView:
    code: str
    as_of: dt.date
    accounts: list[AccountDue]
    #: Group credit: unallocated remainders of the group's payments.
    credit: Decimal
    recent: list[GroupPayment]

    @property
    def total_due(self) -> Decimal:
        return sum((a.total for a in self.accounts), Decimal("0.00"))


def group_view(session: Session, scope: Scope, code: str, as_of: dt.date | None) -> GroupView:
    """The group's accounts in scope with what each owes, and the group credit and recent
    group payments the scope may see (a group spanning stations shows each its own);
    :class:`NotFound` if the scope sees no account of the group."""
    accounts = group_accounts(session, scope, code)
    if not accounts:
        raise NotFound("group")
    if as_of is None:
        station = session.get(Station, accounts[0].station_id)
        assert station is not None
        as_of = dt.datetime.now(ZoneInfo(station.timezone)).date()
    dues = dues_of(session, [a.id for a in accounts], as_of)
    rows = [
        AccountDue(
            a, dues[a.id].principal, dues[a.id].late_fee, dues[a.id].total, dues[a.id].credit
        )
        for a in accounts
    ]
    credit = session.scalar(
        restrict(
            select(func.coalesce(func.sum(GroupPayment.unallocated), 0)).where(
                GroupPayment.group_code == code
            ),
            GroupPayment,
            scope,
        )
    )
    mine = restrict(
        select(GroupPayment).where(GroupPayment.group_code == code), GroupPayment, scope
    )
    recent = list(session.scalars(mine.order_by(GroupPayment.recorded_at.desc()).limit(20)))
    return GroupView(code, as_of, rows, Decimal(credit or 0), recent)
