"""payment_quarantine, money_exception and late_fee_rate are append-only too

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 12:08:00
"""
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

#: Quarantined uploads and exceptions are evidence for review (their outcomes are their own
#: append-only records: quarantine_retarget, releases, exception resolutions); late-fee
#: rates are versions by effective date, a new rate is a new row. None is ever rewritten.
TABLES = ("payment_quarantine", "money_exception", "late_fee_rate")
ROLE = "arrears_app"


def upgrade() -> None:
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change()"
        )
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {ROLE}")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"GRANT UPDATE, DELETE ON {table} TO {ROLE}")
