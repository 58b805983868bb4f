"""Delta sync for collectors' phones: what changed in my scope since my cursor.

The cursor is a position ``(xid, id)`` in the change log. A page only returns rows
of transactions older than the current snapshot's xmin — every one of them has
finished — so a transaction that commits late, out of order, is picked up by a
later sync instead of being skipped (``updated_at > cursor`` would miss it).

Transaction ids are the cluster's: a writing transaction left open in *another*
database (a bulk load, a neighbour's migration) would hold every phone's delta back for
as long as it runs. Such transactions never write this change log, so the xmin here
leaves out the running ids that ``pg_stat_activity`` shows in other databases; an id it
cannot place is kept (never skipping a change is what matters). Read-only transactions
(``pg_dump``, reports) have no id and never held anything back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, text, tuple_
from sqlalchemy.orm import Session

from core.errors import Gone, Invalid
from core.models import Account, ChangeLog, SyncHorizon, Visit
from core.money.due import AmountDue
from core.money.due_many import dues_of

MAX_PAGE = 500
#: A full resync also brings the collector's own visits of this many days.
RECENT_VISIT_DAYS = 30
#: The next transaction id: no cursor this server gave out is at or above it.
_NEXT_XID = "(pg_snapshot_xmax(pg_current_snapshot())::text)::bigint"


@dataclass(frozen=True, order=True)
class Cursor:
    xid: int
    id: int

    def __str__(self) -> str:
        return f"{self.xid}-{self.id}"

    @classmethod
    def parse(cls, raw: str | None) -> Cursor | None:
        """``None`` (or ``"0"``) asks for a full resync."""
        if raw in (None, "", "0"):
            return None
        try:
            xid, _, row = str(raw).partition("-")
            cursor = cls(int(xid), int(row or 0))
        except ValueError as exc:
            raise Invalid({"cursor": ["Malformed."]}, "Malformed cursor.", "query") from exc
        if cursor.xid < 0 or cursor.id < 0:
            raise Invalid({"cursor": ["Malformed."]}, "Malformed cursor.", "query")
        return cursor


@dataclass
class Change:
    entity: str
    id: str
    op: str  # "upsert" | "delete"
    data: dict[str, Any] | None = None


@dataclass
class SyncPage:
    cursor: Cursor
    changes: list[Change] = field(default_factory=list)
    more: bool = False
    full: bool = False


#: The snapshot's xmin among transactions that may write this database: the lowest
#: running id not seen in another database (xid8 modulo 2^32 is the backend's xid),
#: else the snapshot's xmax (nothing of ours running).
_LOCAL_XMIN = text(
    """
    SELECT coalesce(
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s.snap) AS x
          WHERE x::text::bigint % 4294967296 NOT IN (
              SELECT a.backend_xid::text::bigint FROM pg_stat_activity a
               WHERE a.backend_xid IS NOT NULL
                 AND a.datid <> (SELECT oid FROM pg_database
                                  WHERE datname = current_database()))),
        pg_snapshot_xmax(s.snap)::text::bigint)
    FROM (SELECT pg_current_snapshot() AS snap) AS s
    """
)


def _xmin(session: Session) -> int:
    return int(session.execute(_LOCAL_XMIN).scalar_one())


def account_data(account: Account, due: AmountDue) -> dict[str, Any]:
    """What the phone keeps of an account: who, where, and what it owes (``due``)."""
    from geoalchemy2.shape import to_shape

    point = to_shape(account.location)
    return {
        "number": account.number,
        "name": account.name,
        "address": account.address,
        "phone": account.phone,
        "village": account.village,
        "category": account.category.value,
        "location": {"lon": point.x, "lat": point.y},
        "amount_due": f"{due.total:.2f}",
        "principal": f"{due.principal:.2f}",
        "late_fee": f"{due.late_fee:.2f}",
        "stage": due.stage.value,
        "oldest_days_overdue": due.oldest_days_overdue,
    }


def visit_data(visit: Visit) -> dict[str, Any]:
    return {
        "account_id": visit.account_id,
        "outcome": visit.outcome.value,
        "promise_date": visit.promise_date.isoformat() if visit.promise_date else None,
        "device_time": visit.device_time.isoformat(),
    }


def _full(session: Session, collector_id: int, as_of: dt.date) -> SyncPage:
    # xmin first: everything older is in the snapshot the next query reads, and
    # whatever commits later is at or above it, so the next delta brings it.
    xmin = _xmin(session)
    accounts = session.scalars(
        select(Account).where(Account.responsible_id == collector_id).order_by(Account.id)
    ).all()
    dues = dues_of(session, [a.id for a in accounts], as_of)
    changes = [
        Change("account", str(a.id), "upsert", account_data(a, dues[a.id])) for a in accounts
    ]
    # The phone's own recent visits, as the delta sends them: a reinstalled phone sees
    # its promises and knocks of the last weeks again.
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=RECENT_VISIT_DAYS)
    visits = session.scalars(
        select(Visit)
        .where(Visit.collector_id == collector_id, Visit.device_time >= since)
        .order_by(Visit.device_time, Visit.id)
    )
    changes += [Change("visit", str(v.id), "upsert", visit_data(v)) for v in visits]
    return SyncPage(Cursor(xmin, 0), changes, more=False, full=True)


def changes_since(
    session: Session, collector_id: int, raw_cursor: str | None, as_of: dt.date, limit: int
) -> SyncPage:
    """One page of changes for ``collector_id`` after ``raw_cursor``."""
    cursor = Cursor.parse(raw_cursor)
    if cursor is None:
        return _full(session, collector_id, as_of)
    horizon = session.get(SyncHorizon, 1)
    if horizon is not None and cursor.xid < horizon.min_xid:
        raise Gone("The cursor is older than the kept history: resync from cursor 0.")
    # A cursor this server never gave out (from another database, or made up) would
    # silently skip every change up to it.
    if cursor.xid > int(session.execute(text(f"SELECT {_NEXT_XID}")).scalar_one()):
        raise Gone("The cursor is not one this server gave out: resync from cursor 0.")
    xmin = _xmin(session)
    limit = min(limit, MAX_PAGE)
    rows = session.scalars(
        select(ChangeLog)
        .where(
            ChangeLog.audience_id == collector_id,
            tuple_(ChangeLog.xid, ChangeLog.id) > tuple_(cursor.xid, cursor.id),
            ChangeLog.xid < xmin,
        )
        .order_by(ChangeLog.xid, ChangeLog.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    # The latest operation per object wins inside a page (reassigned away and back).
    latest: dict[tuple[str, str], ChangeLog] = {}
    for row in rows:
        latest.pop((row.entity, row.entity_id), None)
        latest[(row.entity, row.entity_id)] = row
    # What every account in the page owes, in one query (tombstones included: cheap).
    dues = dues_of(
        session, [int(r.entity_id) for r in latest.values() if r.entity == "account"], as_of
    )
    changes = [_materialise(session, row, collector_id, dues) for row in latest.values()]
    next_cursor = Cursor(rows[-1].xid, rows[-1].id) if more else Cursor(max(xmin, cursor.xid), 0)
    return SyncPage(next_cursor, changes, more=more)


def _materialise(
    session: Session, row: ChangeLog, collector_id: int, dues: Mapping[int, AmountDue]
) -> Change:
    if row.entity == "account":
        account = session.get(Account, int(row.entity_id))
        # A tombstone carries no personal data; an account no longer mine is a tombstone
        # even if the log row said upsert (it moved on since).
        if row.op == "delete" or account is None or account.responsible_id != collector_id:
            return Change("account", row.entity_id, "delete")
        return Change("account", row.entity_id, "upsert", account_data(account, dues[account.id]))
    if row.entity == "visit":
        visit = session.get(Visit, row.entity_id)
        if visit is None:
            return Change("visit", row.entity_id, "delete")
        return Change("visit", row.entity_id, "upsert", visit_data(visit))
    return Change(row.entity, row.entity_id, row.op)


def prune(session: Session, older_than: dt.timedelta) -> int:
    """Drop change-log rows older than ``older_than``; older cursors then get 410."""
    cutoff = dt.datetime.now(dt.UTC) - older_than
    newest_dropped = session.scalar(
        select(ChangeLog.xid)
        .where(ChangeLog.created_at < cutoff)
        .order_by(ChangeLog.xid.desc())
        .limit(1)
    )
    if newest_dropped is None:
        return 0
    deleted = session.execute(delete(ChangeLog).where(ChangeLog.xid <= newest_dropped)).rowcount  # type: ignore[attr-defined]
    horizon = session.get(SyncHorizon, 1)
    if horizon is None:
        session.add(SyncHorizon(id=1, min_xid=newest_dropped + 1))
    else:
        horizon.min_xid = max(horizon.min_xid, newest_dropped + 1)
    return int(deleted or 0)
