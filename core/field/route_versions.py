"""Whose day changed: the collectors whose route document a transaction changes.

Read inside the writing transaction, just before it commits. The sync change log
already names, for every change a collector's phone must learn about (an account's
edit or reassignment, a bill, a payment's allocation through any channel, a visit),
the collector it concerns (its triggers, migration 0008), in rows carrying the
writing transaction's id; the accounts it names also reach whoever holds them as a
stop in a published route of the day or later. Plans and routes written by the
transaction (a publication, a re-plan, a hand edit) add their routes' collectors.
Takes a ``Session``; no Flask, no Redis (the API keeps the versions).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["touched_collectors"]

_TOUCHED = text(
    """
    WITH mine AS (
        SELECT audience_id, entity, entity_id FROM change_log
        WHERE xid = (pg_current_xact_id_if_assigned()::text)::bigint
    )
    SELECT audience_id FROM mine
    UNION
    SELECT r.collector_id FROM mine
    JOIN stop s ON mine.entity = 'account' AND s.account_id = mine.entity_id::int
    JOIN route r ON r.id = s.route_id
    JOIN plan p ON p.id = r.plan_id
    WHERE p.status = 'published' AND p.plan_date >= CURRENT_DATE - 1
    UNION
    SELECT r.collector_id FROM route r
    WHERE r.plan_id = ANY(CAST(:plans AS int[])) OR r.id = ANY(CAST(:routes AS int[]))
    UNION
    SELECT r.collector_id FROM stop s
    JOIN route r ON r.id = s.route_id
    JOIN plan p ON p.id = r.plan_id
    WHERE p.status = 'published' AND p.plan_date >= CURRENT_DATE - 1
      AND (s.account_id = ANY(CAST(:accounts AS int[]))
           OR s.account_id IN (SELECT b.account_id FROM bill b
                               WHERE b.id = ANY(CAST(:bills AS int[]))))
    """
)


def touched_collectors(
    session: Session,
    plan_ids: Collection[int] = (),
    route_ids: Collection[int] = (),
    account_ids: Collection[int] = (),
    bill_ids: Collection[int] = (),
) -> set[int]:
    """The collectors whose route document the current transaction changes, given the
    plans, routes, accounts and bills it wrote (besides what the change log says: an
    account nobody is responsible for has no change-log row, yet may be a stop)."""
    rows = session.execute(
        _TOUCHED,
        {
            "plans": list(plan_ids),
            "routes": list(route_ids),
            "accounts": list(account_ids),
            "bills": list(bill_ids),
        },
    )
    return {collector_id for (collector_id,) in rows if collector_id is not None}
