"""The application's database role cannot rewrite the money ledger: REVOKE, not just a trigger."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

LEDGER_TABLES = """
SELECT DISTINCT c.relname FROM pg_trigger g
JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
WHERE p.proname = 'refuse_ledger_change' AND NOT g.tgisinternal ORDER BY 1
"""


def test_requests_run_as_the_application_role(app):
    with app.extensions["db_engine"].connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == app.config["DATABASE_ROLE"]
        assert conn.scalar(text("SELECT current_user")) == "arrears_app"


def test_every_ledger_table_is_append_only_for_the_role(engine):
    """Every table the append-only trigger guards (a new one too) is revoked as well."""
    with engine.connect() as conn:
        tables = conn.scalars(text(LEDGER_TABLES)).all()
        assert {"payment", "payment_allocation", "cash_event", "prepaid_draw"} <= set(tables)
        for table in tables:
            for right in ("SELECT", "INSERT"):
                assert conn.scalar(
                    text("SELECT has_table_privilege('arrears_app', :t, :r)"),
                    {"t": table, "r": right},
                ), (table, right)
            for right in ("UPDATE", "DELETE", "TRUNCATE"):
                assert not conn.scalar(
                    text("SELECT has_table_privilege('arrears_app', :t, :r)"),
                    {"t": table, "r": right},
                ), (table, right)
        # The rest of the schema is the application's to write.
        assert conn.scalar(text("SELECT has_table_privilege('arrears_app', 'job', 'UPDATE')"))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE payment SET amount = amount + 1",
        "DELETE FROM payment_allocation",
        "TRUNCATE cash_event",
        "ALTER TABLE payment DISABLE TRIGGER payment_append_only",
    ],
)
def test_the_role_is_refused_before_any_trigger(app, statement):
    with app.extensions["db_engine"].connect() as conn:
        with pytest.raises(ProgrammingError) as err:
            conn.execute(text(statement))
        conn.rollback()
    message = str(err.value.orig)
    assert "permission denied" in message or "must be owner" in message
    assert "append-only" not in message
