"""Ledger invariants of group payments and prepaid balances, as SQL (with
:func:`core.money.invariants.check_ledger`, which covers their child payments).

Each check returns the offending rows; an empty dict means every check holds.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

_CHECKS: dict[str, str] = {
    # A group payment is its children plus its group credit, to the fen.
    "group_payment_balances": """
        SELECT g.id::text || ' amount ' || g.amount || ' accounted ' ||
               (coalesce(sum(p.amount), 0) + g.unallocated)
        FROM group_payment g
        LEFT JOIN group_payment_part gp ON gp.group_payment_id = g.id
        LEFT JOIN payment p ON p.id = gp.payment_id
        GROUP BY g.id, g.amount, g.unallocated
        HAVING g.amount <> coalesce(sum(p.amount), 0) + g.unallocated
    """,
    # A child is a payment of the part's account, through the parent's channel.
    "group_part_matches": """
        SELECT gp.payment_id::text FROM group_payment_part gp
        JOIN group_payment g ON g.id = gp.group_payment_id
        JOIN payment p ON p.id = gp.payment_id
        JOIN account a ON a.id = gp.account_id
        WHERE p.kind <> 'payment' OR p.account_id <> gp.account_id OR p.channel <> g.channel
           OR a.group_code IS DISTINCT FROM g.group_code
    """,
    # A draw is a prepaid payment of its account, of the same amount.
    "prepaid_draw_matches": """
        SELECT d.payment_id::text FROM prepaid_draw d JOIN payment p ON p.id = d.payment_id
        WHERE p.kind <> 'payment' OR p.channel <> 'prepaid' OR p.account_id <> d.account_id
           OR p.amount <> d.amount
    """,
    # No prepaid balance is negative.
    "prepaid_balance_not_negative": """
        WITH moves AS (
            SELECT account_id, amount FROM prepaid_deposit
            UNION ALL SELECT d.account_id, -d.amount FROM prepaid_draw d
            UNION ALL SELECT d.account_id, d.amount FROM prepaid_draw d
                JOIN payment r ON r.reverses_id = d.payment_id
        )
        SELECT account_id::text || ' balance ' || sum(amount) FROM moves
        GROUP BY account_id HAVING sum(amount) < 0
    """,
    # One audit row per group payment and per deposit.
    "audit_per_group_event": """
        WITH events AS (
            SELECT id, 'group_payment.created' AS event FROM group_payment
            UNION ALL SELECT id, 'deposit.created' FROM prepaid_deposit
        )
        SELECT e.event || ' ' || e.id::text || ' audited ' || count(m.id)
        FROM events e LEFT JOIN money_audit m ON m.entity_id = e.id AND m.event = e.event
        GROUP BY e.id, e.event HAVING count(m.id) <> 1
    """,
}


def check_group_prepaid(session: Session) -> dict[str, list[str]]:
    """Violations by check name; only failing checks appear."""
    failures: dict[str, list[str]] = {}
    for name, sql in _CHECKS.items():
        rows = [str(r[0]) for r in session.execute(text(sql))]
        if rows:
            failures[name] = rows
    return failures
