"""Store a record exactly once: the one insert behind every idempotent write.

Phones resend, channels notify twice and two workers may race on one id. Every record
that must exist once (payments, reversals, deposits, group payments, cash events and
counts, quarantined uploads, visits) is written with :func:`insert_once`; when it
returns False the record was already there and the caller answers with the stored one
(a replay) or with a conflict, never with a second row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

__all__ = ["insert_once"]

Values = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def insert_once(
    session: Session,
    model: type[Any],
    values: Values,
    *,
    key: Sequence[str] | None = None,
    stamp: bool = True,
) -> bool:
    """Insert one row of ``model`` unless a row with its key exists; True if this call did.

    Parameters
    ----------
    values
        The row, or a function making it: it runs inside the same savepoint, so what it
        draws (a receipt number, a lock) is undone when the row turns out to exist.
    key
        Columns whose conflict means "already stored"; default: any unique constraint
        (an id, a channel transaction, a reversal of the same payment...).
    stamp
        Set ``recorded_at`` to the statement's clock (money records are ordered by it).

    The insert runs in a savepoint: a lost race rolls back this write alone, and the
    caller's transaction goes on to read the stored row.
    """
    savepoint = session.begin_nested()
    row = dict(values() if callable(values) else values)
    if stamp:
        row["recorded_at"] = func.clock_timestamp()
    stmt = insert(model).values(**row)
    stmt = stmt.on_conflict_do_nothing(index_elements=list(key) if key else None)
    if session.execute(stmt.returning(model.__table__.c[_pk(model)])).first() is None:
        savepoint.rollback()
        return False
    savepoint.commit()  # release: what the caller writes next belongs to its transaction
    return True


def _pk(model: type[Any]) -> str:
    (column,) = model.__table__.primary_key.columns
    return str(column.name)
