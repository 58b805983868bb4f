"""The month's bills from the utility's file: check every row, then write all or nothing.

Idempotent by (account number, period): a bill already stored with the same amount is
unchanged; a changed amount is a re-billing adjustment (append-only, audited, reason
"re-billed"), never an overwrite; a row for an unknown account is reported, never created.
A dry run reports exactly what the real run of the same file writes. The write is one COPY
into a temporary table and one ``INSERT ... SELECT`` (the phones' change log and the map
hear of the new bills through the bill table's triggers). No Flask.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from core.accounts.import_rows import RowError, UnreadableFile, read_rows
from core.errors import Invalid
from core.models import (
    Account,
    Bill,
    BillAdjustment,
    EntryKind,
    Payment,
    PaymentAllocation,
    Station,
)
from core.models.bills import REBILLED
from core.models.ledger_extra import MoneyAudit
from core.money.bill_rows import (
    BILL_ALIASES,
    BILL_COLUMNS,
    BILL_REQUIRED,
    BillReport,
    BillRow,
    Rebilled,
    check_bill_row,
)
from core.money.billed import adjusted_amount
from core.stations.open import require_open

__all__ = ["BillReport", "import_bills"]

_tmp_meta = MetaData()
_tmp = Table(
    "import_bill",
    _tmp_meta,
    Column("account_id", Integer),
    Column("period", Date),
    Column("amount", Numeric(14, 2)),
    Column("due_date", Date),
    Column("reading_from", Numeric(12, 2)),
    Column("reading_to", Numeric(12, 2)),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)

#: A number unknown, or another station's: one answer, so the import never tells a
#: station which numbers exist elsewhere.
NOT_IN_STATION = "No account of this station has this number (import the account first)."
_COPY = ("account_id", "period", "amount", "due_date", "reading_from", "reading_to")


def _read(filename: str, data: bytes, report: BillReport) -> dict[tuple[str, dt.date], BillRow]:
    rows: dict[tuple[str, dt.date], BillRow] = {}
    for row, raw in read_rows(filename, data, BILL_COLUMNS, BILL_REQUIRED, BILL_ALIASES):
        report.rows += 1
        checked = check_bill_row(row, raw, report)
        if checked is None:
            continue
        key = (checked.number, checked.period)
        if key in rows:
            report.add(RowError(row, "period", f"Same account and period as row {rows[key].row}."))
            continue
        rows[key] = checked
    if report.rows == 0:
        raise UnreadableFile("The file has no bill rows.")
    return rows


def _accounts(
    session: Session, station: Station, rows: dict[tuple[str, dt.date], BillRow], report: BillReport
) -> dict[str, int]:
    """Account number -> id for the station's accounts; every other number is a row error."""
    numbers = sorted({n for n, _ in rows})
    found = {
        number: (account_id, station_id, category.value)
        for number, account_id, station_id, category in session.execute(
            select(Account.number, Account.id, Account.station_id, Account.category).where(
                Account.number
                == any_(bindparam("numbers", numbers, type_=ARRAY(Account.number.type)))
            )
        )
    }
    ids: dict[str, int] = {}
    for (number, _), r in rows.items():
        hit = found.get(number)
        if hit is None or hit[1] != station.id:
            # Another station's number reads exactly like a missing one.
            report.add(RowError(r.row, "account_number", NOT_IN_STATION))
        elif r.category is not None and r.category != hit[2]:
            report.add(
                RowError(
                    r.row,
                    "category",
                    f"The account's category is {hit[2]}; change the account first.",
                )
            )
        else:
            ids[number] = hit[0]
    return ids


def _paid_principal(session: Session, bill_ids: list[int]) -> dict[int, Decimal]:
    """Principal paid on each bill by payments that stand (not reversed)."""
    if not bill_ids:
        return {}
    reversed_ids = select(Payment.reverses_id).where(
        Payment.kind == EntryKind.REVERSAL, Payment.reverses_id.is_not(None)
    )
    rows = session.execute(
        select(PaymentAllocation.bill_id, func.sum(PaymentAllocation.principal))
        .where(
            PaymentAllocation.bill_id.in_(bill_ids),
            PaymentAllocation.payment_id.not_in(reversed_ids),
        )
        .group_by(PaymentAllocation.bill_id)
    )
    return {int(b): Decimal(p) for b, p in rows}


def _compare(
    session: Session,
    rows: dict[tuple[str, dt.date], BillRow],
    ids: dict[str, int],
    report: BillReport,
) -> list[BillRow]:
    """The new bills; existing ones are counted unchanged or re-billed (or row errors)."""
    wanted = {(ids[n], p): r for (n, p), r in rows.items() if n in ids}
    stored: dict[tuple[int, dt.date], tuple[int, Decimal, dt.date]] = {}
    if wanted:
        account_ids = sorted({a for a, _ in wanted})
        periods = sorted({p for _, p in wanted})
        for bill_id, account_id, period, amount, due in session.execute(
            select(Bill.id, Bill.account_id, Bill.period, adjusted_amount(), Bill.due_date).where(
                Bill.account_id == any_(bindparam("a", account_ids, type_=ARRAY(Integer))),
                Bill.period == any_(bindparam("p", periods, type_=ARRAY(Date))),
            )
        ):
            stored[(account_id, period)] = (bill_id, Decimal(amount), due)
    changed = {
        stored[k][0]: r for k, r in wanted.items() if k in stored and stored[k][1] != r.amount
    }
    paid = _paid_principal(session, sorted(changed))
    new: list[BillRow] = []
    for key, r in sorted(wanted.items(), key=lambda kv: kv[1].row):
        if key not in stored:
            new.append(r)
            report.created += 1
            report.total_created += r.amount
            continue
        bill_id, amount, due = stored[key]
        if due != r.due_date:
            report.add(
                RowError(
                    r.row,
                    "due_date",
                    f"The stored bill is due {due}; an import does not move a due date.",
                )
            )
        elif amount == r.amount:
            report.unchanged += 1
        elif paid.get(bill_id, Decimal(0)) > r.amount:
            report.add(
                RowError(
                    r.row,
                    "amount",
                    f"{paid[bill_id]} is already paid on this bill, more "
                    "than the new amount; settle the difference by hand.",
                )
            )
        else:
            report.rebill(Rebilled(r.row, r.number, r.period, bill_id, amount, r.amount))
    return new


def import_bills(
    session: Session,
    station: Station,
    filename: str,
    data: bytes,
    actor_id: int,
    dry_run: bool,
) -> BillReport:
    """Check every row and what it would change; unless ``dry_run`` or a row is bad, write.

    Raises :class:`UnreadableFile` for a file that is no bills table and :class:`Invalid`
    with every bad row (nothing written) for a real run with errors.
    """
    require_open(station)
    report = BillReport(dry_run=dry_run)
    rows = _read(filename, data, report)
    if not dry_run:  # one import per station at a time: the comparison holds until commit
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('bill_import'), :s)"), {"s": station.id}
        )
    ids = _accounts(session, station, rows, report)
    new = _compare(session, rows, ids, report)
    report.errors.sort(key=lambda e: (e.row, e.field))
    if report.error_count and not dry_run:
        raise Invalid(
            {
                "file": {
                    "error_count": report.error_count,
                    "rows": [
                        {"row": e.row, "field": e.field, "message": e.message}
                        for e in report.errors
                    ],
                }
            },
            detail=f"{report.error_count} problems in the file; nothing was imported.",
            location="files",
        )
    if dry_run or report.error_count:
        return report
    source = f"{filename[:120]} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    _write_new(session, new, ids)
    _write_adjustments(session, station, report, actor_id, source)
    session.expire_all()
    return report


def _write_new(session: Session, new: list[BillRow], ids: dict[str, int]) -> None:
    if not new:
        return
    conn = session.connection()
    _tmp.create(conn)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY import_bill ({', '.join(_COPY)}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for r in new:
            copy.write_row(
                [ids[r.number], r.period, r.amount, r.due_date, r.reading_from, r.reading_to]
            )
    cols = list(_COPY)
    stmt = pg_insert(Bill).from_select(cols, select(*(_tmp.c[c] for c in cols)))
    session.execute(stmt.on_conflict_do_nothing(index_elements=["account_id", "period"]))
    _tmp.drop(conn)  # at once: a second import in the same transaction makes it again


def _write_adjustments(
    session: Session, station: Station, report: BillReport, actor_id: int, source: str
) -> None:
    if not report.rebilled:
        return
    accounts = dict(
        session.execute(
            select(Bill.id, Bill.account_id).where(Bill.id.in_([a.bill_id for a in report.pending]))
        ).all()
    )
    adjustments, audits = [], []
    for a in report.pending:
        entry = uuid.uuid4()
        adjustments.append(
            {
                "id": entry,
                "bill_id": a.bill_id,
                "delta": a.to_amount - a.from_amount,
                "old_amount": a.from_amount,
                "new_amount": a.to_amount,
                "reason": REBILLED,
                "source": source,
                "actor_id": actor_id,
            }
        )
        audits.append(
            {
                "event": "bill.rebilled",
                "entity_id": entry,
                "account_id": accounts[a.bill_id],
                "station_id": station.id,
                "actor_id": actor_id,
                "amount": a.to_amount - a.from_amount,
                "detail": {
                    "bill_id": a.bill_id,
                    "period": a.period.isoformat(),
                    "from": f"{a.from_amount:.2f}",
                    "to": f"{a.to_amount:.2f}",
                    "reason": REBILLED,
                    "source": source,
                },
            }
        )
    session.execute(insert(BillAdjustment), adjustments)
    session.execute(insert(MoneyAudit), audits)
