"""Recording payments exactly once: idempotent insert, allocation, receipts, quarantine.

The id is minted by the client; ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` is
the arbiter and, when no row comes back, a separate ``SELECT`` finds the winner.
Functions take a ``Session``, flush but never commit, and import no Flask.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Rejected
from core.insert_once import insert_once
from core.models import (
    Account,
    AccountResponsibility,
    Channel,
    EntryKind,
    Payment,
    PaymentAllocation,
    Role,
    Station,
    User,
)
from core.models.ledger_extra import MoneyException, QuarantinedPayment
from core.money import local_date, plan_allocation, qr
from core.money.canonical import body_hash, canonical
from core.money.field_checks import (
    DEFAULT_BACKDATE_WINDOW,
    backdating_reason,
    check_plausible,
    check_review_cap,
)
from core.money.ids import derived_id
from core.money.payable import payable
from core.money.qr import QrRef
from core.money.receipt_blocks import check_receipt
from core.money.records import RECEIPT_CHANNELS, audit, next_receipt_no
from core.scope import Scope, restrict

#: Channels each role may record itself (online channels come in by notification/import).
ROLE_CHANNELS: dict[Role, frozenset[Channel]] = {
    Role.COLLECTOR: frozenset({Channel.FIELD_CASH, Channel.FIELD_QR}),
    Role.SUPERVISOR: frozenset({Channel.FIELD_CASH, Channel.FIELD_QR, Channel.COUNTER}),
    Role.ADMIN: frozenset(Channel),
}
#: Channels that report their own transactions (notification or file import). ``prepaid``
#: is not one: its payments are the server's own draws (core.money.deposits), which no
#: notice may claim.
ONLINE_CHANNELS = frozenset({Channel.KIOSK, Channel.ALIPAY, Channel.WECHAT, Channel.BANK})
#: Channels whose payments may carry a receipt number from the phone's blocks.
DEVICE_RECEIPT_CHANNELS = frozenset({Channel.FIELD_CASH, Channel.FIELD_QR})
MAX_CLOCK_SKEW = dt.timedelta(minutes=10)
def channel_payment_id(channel: Channel, channel_txn_id: str) -> uuid.UUID:
    """The payment id of a channel transaction: the same transaction, the same id (keyed,
    version 8: no client id can take it first)."""
    return derived_id("channel", channel.value, channel_txn_id)


def channel_input(
    session: Session,
    scope: Scope,
    channel: Channel,
    *,
    channel_txn_id: str,
    account_number: str,
    amount: Decimal,
    paid_at: dt.datetime,
) -> PaymentInput:
    """The payment input of a channel transaction; an account number unknown *in the
    relaying caller's scope* maps to 0 (the payment is then quarantined with the number
    kept in its body), so a notice never reveals another station's account ids."""
    account_id = session.scalar(
        restrict(select(Account.id).where(Account.number == account_number), Account, scope)
    )
    return PaymentInput(
        id=channel_payment_id(channel, channel_txn_id),
        account_id=account_id or 0,
        amount=amount,
        channel=channel,
        collected_at=paid_at,
        channel_txn_id=channel_txn_id,
    )


class Status(enum.StrEnum):
    CREATED = "created"
    REPLAYED = "replayed"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class PaymentInput:
    id: uuid.UUID
    account_id: int
    amount: Decimal
    channel: Channel
    collected_at: dt.datetime
    device_id: str | None = None
    bill_ids: tuple[int, ...] = ()
    channel_txn_id: str | None = None
    #: From the device's receipt blocks (:mod:`core.money.receipt_blocks`); else the
    #: station numbers the receipt.
    receipt_no: str | None = None
    #: The client confirms a field amount far above what the account owes (not part of
    #: the money: a resend without it is still a replay).
    confirm_amount: bool = False
    #: A field QR payment's channel transaction (core.money.qr): pending until matched.
    qr_ref: QrRef | None = None


@dataclass
class PaymentResult:
    status: Status
    replay: bool
    payment: Payment | None = None
    allocations: list[PaymentAllocation] = field(default_factory=list)
    quarantine: QuarantinedPayment | None = None
    overpayment: Decimal = Decimal("0.00")


def record_item(
    session: Session,
    scope: Scope,
    inp: PaymentInput,
    *,
    backdate_window: dt.timedelta | None = DEFAULT_BACKDATE_WINDOW,
) -> PaymentResult | Rejected:
    """:func:`record_payment` for one item of a batch, in a savepoint: a refused item is
    returned (its writes undone) instead of raised, and the batch goes on."""
    savepoint = session.begin_nested()
    try:
        result = record_payment(session, scope, inp, backdate_window=backdate_window)
    except Rejected as refusal:
        savepoint.rollback()
        return refusal
    savepoint.commit()
    return result


def hold_custody(session: Session, collector_id: int) -> None:
    """Share-lock the collector's row while recording field cash: a cash count (which
    locks it exclusively) then sees every movement stamped before it, and none after.
    Movements are stamped with ``clock_timestamp()`` once the lock is held."""
    session.execute(select(User.id).where(User.id == collector_id).with_for_update(read=True))


def _body(inp: PaymentInput, uploader_id: int) -> dict[str, object]:
    # The receipt number only when the phone numbered it: older bodies keep their hash.
    numbered: dict[str, object] = {}
    if inp.receipt_no is not None:
        numbered["receipt_no"] = inp.receipt_no
    if inp.qr_ref is not None:
        numbered["qr_ref"] = inp.qr_ref.as_body()
    return canonical(
        numbered
        | {
            # A channel transaction is known by (channel, channel_txn_id), not by its id.
            "id": inp.id if inp.channel_txn_id is None else None,
            "account_id": inp.account_id,
            "amount": inp.amount,
            "channel": inp.channel,
            "collected_at": inp.collected_at,
            "device_id": inp.device_id,
            "bill_ids": list(inp.bill_ids),
            "channel_txn_id": inp.channel_txn_id,
            # A channel transaction is the same money whoever relays it (notice or import).
            "uploader_id": uploader_id if inp.channel_txn_id is None else None,
        }
    )


def allocations_of(session: Session, payment_id: uuid.UUID) -> list[PaymentAllocation]:
    return list(
        session.scalars(
            select(PaymentAllocation)
            .where(PaymentAllocation.payment_id == payment_id)
            .order_by(PaymentAllocation.id)
        )
    )


def _overpayment_of(session: Session, payment_id: uuid.UUID) -> Decimal:
    amount = session.scalar(
        select(MoneyException.amount).where(
            MoneyException.payment_id == payment_id, MoneyException.kind == "overpayment"
        )
    )
    return amount if amount is not None else Decimal("0.00")


def stored_result(session: Session, payment: Payment) -> PaymentResult:
    """A stored payment (or reversal) as its creation answered: ``created``, not a replay,
    with its allocations and overpayment (a read says what the write said)."""
    return PaymentResult(
        Status.CREATED,
        False,
        payment,
        allocations_of(session, payment.id),
        overpayment=_overpayment_of(session, payment.id),
    )


def _stored(
    session: Session, payment_id: uuid.UUID, digest: str, *, quarantine: bool = True
) -> PaymentResult | None:
    """The stored outcome for ``payment_id`` if any; a different body is refused."""
    payment = session.get(Payment, payment_id, populate_existing=True)
    if payment is not None:
        if payment.body_hash != digest:
            raise Rejected("id_conflict", "This id is already used by a different money record.")
        return PaymentResult(
            Status.REPLAYED,
            True,
            payment,
            allocations_of(session, payment_id),
            overpayment=_overpayment_of(session, payment_id),
        )
    held = (
        session.get(QuarantinedPayment, payment_id, populate_existing=True) if quarantine else None
    )
    if held is not None:
        if held.body_hash != digest:
            raise Rejected("id_conflict", "This id is already used by a different money record.")
        return PaymentResult(Status.QUARANTINED, True, quarantine=held)
    return None


def _known_id(session: Session, inp: PaymentInput) -> uuid.UUID:
    """The id ``inp`` is stored under: a channel transaction's is whatever payment holds
    its (channel, transaction id), the arbiter (a unique constraint), else its own."""
    if inp.channel_txn_id is None:
        return inp.id
    held = session.scalar(
        select(Payment.id).where(
            Payment.channel == inp.channel, Payment.channel_txn_id == inp.channel_txn_id
        )
    )
    return held if held is not None else inp.id


def _authorization_failure(
    session: Session, scope: Scope, account: Account | None, on: dt.date
) -> str | None:
    """Why ``scope`` may not record money for ``account`` collected on ``on``, or None.

    A missing account and one outside the caller's scope give the same reason, so an
    upload never tells a collector or supervisor which account ids exist elsewhere.
    """
    if scope.is_admin:
        return None if account is not None else "unknown account"
    if scope.is_collector:
        held = account is not None and session.scalar(
            select(AccountResponsibility.id).where(
                AccountResponsibility.account_id == account.id,
                AccountResponsibility.collector_id == scope.user_id,
                AccountResponsibility.valid_from <= on,
                (AccountResponsibility.valid_to.is_(None)) | (AccountResponsibility.valid_to > on),
            )
        )
        return None if held else f"not an account of the collector's on {on}"
    if account is None or account.station_id not in scope.station_ids:
        return "not an account of the supervisor's stations"
    return None


def _quarantine(
    session: Session,
    scope: Scope,
    inp: PaymentInput,
    account: Account | None,
    body: dict[str, object],
    digest: str,
    reason: str,
    *,
    capped: bool = True,
) -> PaymentResult:
    if account is not None and account.station_id in scope.station_ids:
        station_id: int | None = account.station_id
    else:
        station_id = min(scope.station_ids, default=None)
    if inp.channel_txn_id is None and capped:
        station = session.get(Station, station_id) if station_id is not None else None
        check_review_cap(session, scope.user_id, station.timezone if station else "Asia/Shanghai")
    if inp.channel is Channel.FIELD_CASH:
        hold_custody(session, scope.user_id)
    held_row = {
        "id": inp.id,
        "station_id": station_id,
        "account_id": inp.account_id,
        "amount": inp.amount,
        "channel": inp.channel.value,
        "collector_id": scope.user_id,
        "collected_at": inp.collected_at,
        "device_id": inp.device_id,
        "reason": reason,
        "body": body,
        "body_hash": digest,
    }
    if not insert_once(session, QuarantinedPayment, held_row, key=["id"]):
        found = _stored(session, inp.id, digest)
        assert found is not None
        return found
    audit(
        session,
        "payment.quarantined",
        inp.id,
        actor_id=scope.user_id,
        account_id=inp.account_id,
        station_id=station_id,
        device_id=inp.device_id,
        amount=inp.amount,
        detail={"reason": reason, "channel": inp.channel.value},
    )
    held = session.get(QuarantinedPayment, inp.id)
    return PaymentResult(Status.QUARANTINED, False, quarantine=held)


def record_payment(
    session: Session,
    scope: Scope,
    inp: PaymentInput,
    *,
    now: dt.datetime | None = None,
    skip_authorization: bool = False,
    collector_id: int | None = None,
    body_digest: str | None = None,
    backdate_window: dt.timedelta | None = DEFAULT_BACKDATE_WINDOW,
) -> PaymentResult:
    """Store ``inp`` exactly once, allocate it, or quarantine it; replays return the original.

    ``body_digest``: the body hash to store instead of ``inp``'s (a released quarantine
    keeps its upload's, so that the phone's resends stay replays). ``backdate_window``:
    hand-recorded money collected longer ago (or on a day already counted) is
    quarantined for review (:mod:`core.money.field_checks`); a release skips the checks.

    Raises :class:`Rejected` for an id reused with a different body, a channel the
    role may not record, a collection time in the future, or an implausible field
    amount (unconfirmed, or confirmed above the station's cap).
    """
    body = _body(inp, collector_id if collector_id is not None else scope.user_id)
    digest = body_digest or body_hash(body)
    found = _stored(session, _known_id(session, inp), digest, quarantine=not skip_authorization)
    if found is not None:
        return found
    if inp.channel_txn_id is not None:
        if inp.channel not in ONLINE_CHANNELS or scope.is_collector:
            raise Rejected("channel_not_allowed", "Channel transactions come from online channels.")
        if inp.id != channel_payment_id(inp.channel, inp.channel_txn_id):
            raise Rejected("bad_id", "A channel transaction's id derives from the channel's id.")
    elif inp.channel not in ROLE_CHANNELS[scope.role] and not skip_authorization:
        raise Rejected("channel_not_allowed", f"A {scope.role.value} may not record {inp.channel}.")
    now = now or dt.datetime.now(dt.UTC)
    if inp.collected_at > now + MAX_CLOCK_SKEW:
        raise Rejected("collected_in_future", "collected_at is in the future.")
    uploader = collector_id if collector_id is not None else scope.user_id
    if inp.receipt_no is not None:
        if inp.channel not in DEVICE_RECEIPT_CHANNELS or inp.channel_txn_id is not None:
            raise Rejected("receipt_not_allowed", "Only field cash and QR carry a device receipt.")
        check_receipt(session, inp.receipt_no, uploader, inp.device_id, inp.id)

    account = session.scalars(
        select(Account).where(Account.id == inp.account_id).with_for_update(key_share=True)
    ).one_or_none()
    station = session.get(Station, account.station_id) if account is not None else None
    tz = ZoneInfo(station.timezone if station is not None else "Asia/Shanghai")
    on = local_date(inp.collected_at, tz)
    if not skip_authorization:
        reason = _authorization_failure(session, scope, account, on)
        if reason is not None:
            return _quarantine(session, scope, inp, account, body, digest, reason)
    assert account is not None and station is not None

    # Owed on the collection day, less what later-dated payments already paid.
    today = local_date(now, tz)
    due = payable(session, account.id, on, today)
    if inp.channel_txn_id is None and not skip_authorization:
        check_plausible(
            inp.channel,
            inp.amount,
            due.total,
            station.field_payment_cap,
            confirmed=inp.confirm_amount,
        )
        late = backdating_reason(
            session, inp.channel, uploader, inp.collected_at, on, now, backdate_window
        )
        if late is not None:
            return _quarantine(session, scope, inp, account, body, digest, late)
        if inp.channel is Channel.FIELD_QR:
            return _qr_upload(session, scope, inp, account, body, digest)
    if inp.channel_txn_id is not None and inp.channel in qr.QR_CHANNELS:
        released = qr.released_for(session, inp.channel, inp.channel_txn_id)
        if released is not None:
            reason = f"already in the ledger as the released QR payment {released}"
            return _quarantine(session, scope, inp, account, body, digest, reason, capped=False)
    plan = plan_allocation(due, inp.amount, inp.bill_ids)
    receipt: str | None = inp.receipt_no

    def row() -> dict[str, object]:
        # Drawn inside insert_once's savepoint: a lost race gives the number back.
        nonlocal receipt
        if receipt is None and inp.channel.value in RECEIPT_CHANNELS:
            receipt = next_receipt_no(session, station.id, on.year)
        if inp.channel is Channel.FIELD_CASH and inp.channel_txn_id is None:
            hold_custody(session, uploader)
        return {
            "id": inp.id,
            "kind": EntryKind.PAYMENT,
            "account_id": account.id,
            "amount": inp.amount,
            "channel": inp.channel,
            "channel_txn_id": inp.channel_txn_id,
            "collector_id": uploader if inp.channel_txn_id is None else None,
            "collected_at": inp.collected_at,
            "device_id": inp.device_id,
            "receipt_no": receipt,
            "actor_id": scope.user_id,
            "body_hash": digest,
        }

    if not insert_once(session, Payment, row):
        # Somebody else stored this id (or this channel transaction) first.
        found = _stored(
            session, _known_id(session, inp), digest, quarantine=not skip_authorization
        )
        if found is None:
            raise Rejected("duplicate_channel_txn", "This channel transaction is already stored.")
        return found
    allocations = [
        PaymentAllocation(
            payment_id=inp.id,
            bill_id=line.bill_id,
            principal=line.principal,
            late_fee=line.late_fee,
        )
        for line in plan.lines
    ]
    session.add_all(allocations)
    if plan.unallocated > 0:
        session.add(
            MoneyException(
                kind="overpayment",
                payment_id=inp.id,
                account_id=account.id,
                station_id=station.id,
                amount=plan.unallocated,
                detail=f"{plan.unallocated:.2f} paid beyond what the account owed on {on}.",
            )
        )
    audit(
        session,
        "payment.created",
        inp.id,
        actor_id=scope.user_id,
        account_id=account.id,
        station_id=station.id,
        device_id=inp.device_id,
        amount=inp.amount,
        detail={"channel": inp.channel.value, "receipt_no": receipt, "collector_id": uploader},
    )
    session.flush()
    payment = session.get(Payment, inp.id)
    assert payment is not None
    if inp.channel_txn_id is not None and inp.channel in qr.QR_CHANNELS:
        qr.match_pending(session, payment, scope.user_id)
        session.flush()
    return PaymentResult(Status.CREATED, False, payment, allocations, overpayment=plan.unallocated)


def _qr_upload(
    session: Session,
    scope: Scope,
    inp: PaymentInput,
    account: Account,
    body: dict[str, object],
    digest: str,
) -> PaymentResult:
    """A field QR upload: the channel's payment when its notice came in already (the same
    money, one payment), else pending in quarantine until the notice matches it."""
    if inp.qr_ref is None:
        reason = "QR payment without the channel's transaction reference: review it"
        return _quarantine(session, scope, inp, account, body, digest, reason)
    settled = qr.settled_by_channel(session, inp.qr_ref)
    if settled is None:
        return _quarantine(session, scope, inp, account, body, digest, qr.PENDING, capped=False)
    if settled.account_id != account.id or settled.amount != inp.amount:
        reason = "QR payment disagrees with the channel's transaction (account or amount)"
        return _quarantine(session, scope, inp, account, body, digest, reason)
    return PaymentResult(
        Status.REPLAYED,
        True,
        settled,
        allocations_of(session, settled.id),
        overpayment=_overpayment_of(session, settled.id),
    )
