"""Ledger invariants, as SQL: run after tests, benchmarks or on a live database.

Each check returns the offending rows (as short strings); an empty list means it holds.
``station_ids`` limits the checks to those stations' accounts and collectors.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.money.balance import ACCOUNT_MISMATCH_SQL, MISMATCH_SQL

_CHECKS: dict[str, str] = {
    # Every payment's amount is fully accounted for: allocations plus an overpayment.
    "payment_balances": """
        SELECT p.id::text || ' amount ' || p.amount || ' accounted ' ||
               (coalesce(a.s, 0) + coalesce(e.amount, 0))
        FROM payment p JOIN account acc ON acc.id = p.account_id
        LEFT JOIN (SELECT payment_id, sum(principal + late_fee) s FROM payment_allocation
                   GROUP BY payment_id) a ON a.payment_id = p.id
        LEFT JOIN money_exception e ON e.payment_id = p.id AND e.kind = 'overpayment'
        WHERE p.kind = 'payment' AND (:all OR acc.station_id = ANY(:stations))
          AND p.amount <> coalesce(a.s, 0) + coalesce(e.amount, 0)
    """,
    # A reversal has one original payment, same account and amount, and negates its
    # allocations bill by bill.
    "reversal_mirrors_original": """
        SELECT r.id::text FROM payment r JOIN account acc ON acc.id = r.account_id
        LEFT JOIN payment o ON o.id = r.reverses_id
        WHERE r.kind = 'reversal' AND (:all OR acc.station_id = ANY(:stations))
          AND (o.id IS NULL OR o.kind <> 'payment' OR o.amount <> r.amount
               OR o.account_id <> r.account_id
               OR EXISTS (
                   SELECT bill_id FROM payment_allocation WHERE payment_id IN (o.id, r.id)
                   GROUP BY bill_id
                   HAVING sum(principal) <> 0 OR sum(late_fee) <> 0))
    """,
    # A payment pays only its own account's bills (the set-based amount due relies on it).
    "allocation_on_own_account": """
        SELECT a.id::text || ' pays bill ' || b.id || ' of account ' || b.account_id
        FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
        JOIN bill b ON b.id = a.bill_id JOIN account acc ON acc.id = p.account_id
        WHERE (:all OR acc.station_id = ANY(:stations)) AND b.account_id <> p.account_id
    """,
    # No bill is paid below zero or beyond its amount (re-billing adjustments included).
    "bill_principal_within_amount": """
        SELECT b.id::text || ' paid ' || sum(a.principal) || ' of ' || b.amount
        FROM (SELECT b.id, b.account_id, b.amount + coalesce(
                (SELECT sum(d.delta) FROM bill_adjustment d WHERE d.bill_id = b.id), 0) AS amount
              FROM bill b) b
        JOIN account acc ON acc.id = b.account_id
        JOIN payment_allocation a ON a.bill_id = b.id
        WHERE :all OR acc.station_id = ANY(:stations)
        GROUP BY b.id, b.amount
        HAVING sum(a.principal) < 0 OR sum(a.principal) > b.amount OR sum(a.late_fee) < 0
    """,
    # One audit row per money event, of the matching kind.
    "audit_per_event": """
        WITH events AS (
            SELECT p.id, CASE p.kind WHEN 'payment' THEN 'payment.created'
                   ELSE 'payment.reversed' END AS event, acc.station_id
            FROM payment p JOIN account acc ON acc.id = p.account_id
            UNION ALL SELECT q.id, 'payment.quarantined', q.station_id FROM payment_quarantine q
            UNION ALL SELECT c.id, 'cash.handover', c.station_id FROM cash_event c
                WHERE c.kind = 'handover'
            UNION ALL SELECT r.id, 'cash.reconciled', r.station_id FROM cash_reconciliation r
            UNION ALL SELECT d.id, 'bill.rebilled', acc.station_id FROM bill_adjustment d
                JOIN bill b ON b.id = d.bill_id JOIN account acc ON acc.id = b.account_id
        )
        SELECT e.event || ' ' || e.id::text || ' audited ' || count(m.id)
        FROM events e LEFT JOIN money_audit m ON m.entity_id = e.id AND m.event = e.event
        WHERE :all OR e.station_id = ANY(:stations)
        GROUP BY e.id, e.event HAVING count(m.id) <> 1
    """,
    # No collector holds negative cash.
    "cash_in_hand_not_negative": """
        WITH moves AS (
            SELECT collector_id, CASE kind WHEN 'payment' THEN amount ELSE -amount END AS amount
            FROM payment WHERE channel = 'field_cash' AND collector_id IS NOT NULL
            UNION ALL SELECT q.collector_id, q.amount FROM payment_quarantine q
                WHERE q.channel = 'field_cash'
                  AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.id = q.id)
            UNION ALL SELECT collector_id, CASE kind WHEN 'handover' THEN -amount
                ELSE amount END FROM cash_event
        )
        SELECT m.collector_id::text || ' holds ' || sum(m.amount) FROM moves m
        WHERE :all OR m.collector_id IN (
            SELECT user_id FROM user_station WHERE station_id = ANY(:stations))
        GROUP BY m.collector_id HAVING sum(m.amount) < 0
    """,
    # A reconciliation adds up (the table's CHECKs too) and its variance entry matches.
    "reconciliation_variance_entry": """
        SELECT r.id::text FROM cash_reconciliation r
        LEFT JOIN cash_event v ON v.reconciliation_id = r.id
        WHERE (:all OR r.station_id = ANY(:stations))
          AND (r.counted <> r.expected + r.variance
               OR coalesce(v.amount, 0) <> r.variance)
    """,
    # Each bill's maintained balance equals its amount less its allocated principal.
    "bill_balance_matches_ledger": MISMATCH_SQL,
    # Each account's maintained sums equal its open bills' recount (and its station's
    # and collector's copies the account's).
    "account_balance_matches_ledger": ACCOUNT_MISMATCH_SQL,
}


def check_ledger(
    session: Session, station_ids: Sequence[int] | None = None
) -> dict[str, list[str]]:
    """Violations by check name; only failing checks appear."""
    params = {"all": station_ids is None, "stations": list(station_ids or [])}
    failures: dict[str, list[str]] = {}
    for name, sql in _CHECKS.items():
        rows = [str(r[0]) for r in session.execute(text(sql), params)]
        if rows:
            failures[name] = rows
    return failures
