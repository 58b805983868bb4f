"""What a transaction changed that cached documents show: the collectors whose route
document it changes, and the accounts (with their stations) whose card or list row it
changes.

Read inside the writing transaction, just before it commits. The sync change log
already names, for every change a collector's phone must learn about (an account's
edit or reassignment, a bill, a payment's allocation through any channel, a visit),
the collector it concerns and the account or visit (its triggers, migration 0008), in
rows carrying the writing transaction's id; the accounts it names also reach whoever
holds them as a stop in a published route of the day or later. Plans and routes written
by the transaction (a publication, a re-plan, a hand edit) add their routes' collectors;
the accounts and bills the session wrote add accounts nobody is responsible for (they
have no change-log row). Takes a ``Session``; no Flask, no Redis (the API keeps the
versions).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["Touched", "touched"]

# One statement: rows ('c', collector, NULL) and ('a', account, its station).
_TOUCHED = text(
    """
    WITH mine AS (
        SELECT audience_id, entity, entity_id FROM change_log
        WHERE xid = (pg_current_xact_id_if_assigned()::text)::bigint
    ), accounts AS (
        SELECT CAST(CASE WHEN entity = 'account' THEN entity_id END AS int) AS id FROM mine
        UNION
        SELECT v.account_id FROM mine
        JOIN visit v ON v.id = CAST(CASE WHEN mine.entity = 'visit' THEN mine.entity_id END AS uuid)
        UNION
        SELECT unnest(CAST(:accounts AS int[]))
        UNION
        SELECT b.account_id FROM bill b WHERE b.id = ANY(CAST(:bills AS int[]))
    )
    SELECT 'c' AS kind, audience_id AS id, NULL::int AS station_id FROM mine
    UNION
    SELECT 'c', r.collector_id, NULL FROM accounts
    JOIN stop s ON s.account_id = accounts.id
    JOIN route r ON r.id = s.route_id
    JOIN plan p ON p.id = r.plan_id
    WHERE p.status = 'published' AND p.plan_date >= CURRENT_DATE - 1
    UNION
    SELECT 'c', r.collector_id, NULL FROM route r
    WHERE r.plan_id = ANY(CAST(:plans AS int[])) OR r.id = ANY(CAST(:routes AS int[]))
    UNION
    SELECT 'a', a.id, a.station_id FROM accounts JOIN account a ON a.id = accounts.id
    """
)


@dataclass
class Touched:
    """The collectors whose day changed; the accounts changed, by id, with their station."""

    collectors: set[int] = field(default_factory=set)
    accounts: dict[int, int] = field(default_factory=dict)


def touched(
    session: Session,
    plan_ids: Collection[int] = (),
    route_ids: Collection[int] = (),
    account_ids: Collection[int] = (),
    bill_ids: Collection[int] = (),
) -> Touched:
    """What the current transaction changes, given the plans, routes, accounts and bills
    it wrote (besides what the change log says: an account nobody is responsible for has
    no change-log row, yet may be a stop, and has a card)."""
    rows = session.execute(
        _TOUCHED,
        {
            "plans": list(plan_ids),
            "routes": list(route_ids),
            "accounts": list(account_ids),
            "bills": list(bill_ids),
        },
    )
    found = Touched()
    for kind, ident, station_id in rows:
        if ident is None:
            continue
        if kind == "c":
            found.collectors.add(ident)
        else:
            found.accounts[ident] = station_id
    return found
