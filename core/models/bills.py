"""Re-billing: a bill's amount is never overwritten; a changed amount from the utility's
monthly file is an append-only adjustment (the bill's amount is ``bill.amount`` plus its
adjustments, :mod:`core.money.billed`). Each bill's maintained balance
(:mod:`core.money.balance`)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Money, created_at_column

#: The one reason an import records.
REBILLED = "re-billed"


class BillAdjustment(Base):
    """``delta`` moves the bill from ``old_amount`` to ``new_amount`` (append-only)."""

    __tablename__ = "bill_adjustment"
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), index=True)
    delta: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    old_amount: Mapped[Money]
    new_amount: Mapped[Money]
    reason: Mapped[str] = mapped_column(String(32))
    #: Where it came from, e.g. the import file's name and SHA-256.
    source: Mapped[str | None] = mapped_column(String(200))
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("delta = new_amount - old_amount AND delta <> 0", name="delta_adds_up"),
        CheckConstraint("new_amount > 0 AND new_amount < 100000000", name="new_amount_bounds"),
    )


class BillBalance(Base):
    """A bill's principal outstanding now: its amount with its adjustments, less every
    principal allocated to it (reversals' negative ones included), and when and how it
    was last paid. Written only by the database's triggers (migrations 0029, 0036), in
    the transaction of each money write; read through :mod:`core.money.balance`."""

    __tablename__ = "bill_balance"
    bill_id: Mapped[int] = mapped_column(
        ForeignKey("bill.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    account_id: Mapped[int]
    #: The bill's own, copied (the principal-only readings never read ``bill``).
    period: Mapped[dt.date]
    due_date: Mapped[dt.date]
    #: The bill's amount with its re-billing adjustments.
    billed: Mapped[Money]
    #: Unclamped: ``amount - allocated``; the ledger's checks keep it within [0, amount].
    outstanding: Mapped[Money]
    #: The latest ``collected_at`` of the payments and reversals allocated to it (None:
    #: none yet), and whether any of them was taken at the door (``field_cash`` or
    #: ``field_qr``): the ledger is append-only, so both only grow (migration 0036).
    last_paid_at: Mapped[dt.datetime | None]
    paid_at_door: Mapped[bool] = mapped_column(server_default=text("false"))

    __table_args__ = (
        Index("ix_bill_balance_open", "account_id", postgresql_where=text("outstanding > 0")),
        Index("ix_bill_balance_account_due", "account_id", "due_date"),
    )


class AccountBalance(Base):
    """An account's open bills summed from their maintained balances (:class:`BillBalance`
    with ``outstanding > 0``), with the account's station and responsible collector.
    Written only by the database's triggers (migrations 0034 and 0037), in the
    transaction of each money write and account edit, and created with its account
    (zero sums until a bill opens); read through :mod:`core.money.balance`."""

    __tablename__ = "account_balance"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    station_id: Mapped[int]
    responsible_id: Mapped[int | None]
    #: The sum of its open bills' outstanding principal (0 when none is open).
    open_principal: Mapped[Money] = mapped_column(server_default=text("0"))
    open_bills: Mapped[int] = mapped_column(server_default=text("0"))
    oldest_open_due: Mapped[dt.date | None]
    #: The latest period among its open bills: a reading as of a day D on or after it
    #: owes every open bill (:func:`core.money.arrears.account_arrears_subquery`).
    latest_open_period: Mapped[dt.date | None]

    __table_args__ = (
        Index(
            "ix_account_balance_station_owing",
            "station_id",
            text("open_principal DESC"),
            postgresql_where=text("open_bills > 0"),
        ),
        Index(
            "ix_account_balance_latest_open",
            "latest_open_period",
            postgresql_where=text("open_bills > 0"),
        ),
        Index(
            "ix_account_balance_responsible_owing",
            "responsible_id",
            text("open_principal DESC"),
            postgresql_where=text("open_bills > 0"),
        ),
        # A page of owing accounts by id (the account list's arrears filters, 0035);
        # the settled sums read from the index alone (a station's workload, 0038).
        Index(
            "ix_account_balance_station_owing_id",
            "station_id",
            "account_id",
            postgresql_where=text("open_bills > 0"),
            postgresql_include=["open_principal", "latest_open_period"],
        ),
        Index(
            "ix_account_balance_responsible_owing_id",
            "responsible_id",
            "account_id",
            postgresql_where=text("open_bills > 0"),
            postgresql_include=["open_principal", "latest_open_period"],
        ),
        # A page of the accounts with no open bill by id (by arrears ascending, 0037).
        Index(
            "ix_account_balance_station_idle_id",
            "station_id",
            "account_id",
            postgresql_where=text("open_bills = 0"),
        ),
        Index(
            "ix_account_balance_responsible_idle_id",
            "responsible_id",
            "account_id",
            postgresql_where=text("open_bills = 0"),
        ),
    )
