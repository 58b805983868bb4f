"""Least privilege, the append-only half (issue 16, item 3): quarantined uploads, money
exceptions and late-fee rates cannot be rewritten, by the application's role (REVOKE) nor
by the owner (trigger)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

TABLES = ("payment_quarantine", "money_exception", "late_fee_rate")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE late_fee_rate SET minimum = 0.01",  # the national row is always there
        "DELETE FROM late_fee_rate",
        *(f"TRUNCATE {t} CASCADE" for t in TABLES),
    ],
)
@pytest.mark.as_owner
def test_the_owner_is_refused_by_the_trigger(connection, statement):
    """Even the owning login cannot UPDATE, DELETE or TRUNCATE them."""
    with connection.begin_nested() as savepoint:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
        savepoint.rollback()


@pytest.mark.parametrize("table", TABLES)
def test_the_application_role_may_only_read_and_insert(engine, table):
    """arrears_app keeps SELECT and INSERT and loses UPDATE, DELETE and TRUNCATE."""
    with engine.connect() as conn:

        def has(right: str) -> bool:
            return bool(
                conn.scalar(
                    text("SELECT has_table_privilege('arrears_app', :t, :r)"),
                    {"t": table, "r": right},
                )
            )

        assert has("SELECT") and has("INSERT")
        assert not has("UPDATE") and not has("DELETE") and not has("TRUNCATE")
