"""location_decision is append-only for the application role too (as the ledger: REVOKE
on top of the trigger 0027 created, and a TRUNCATE guard)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 13:05:00
"""
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

ROLE = "arrears_app"


def upgrade() -> None:
    op.execute(
        "CREATE TRIGGER location_decision_no_truncate BEFORE TRUNCATE ON location_decision "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change()"
    )
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON location_decision FROM {ROLE}")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS location_decision_no_truncate ON location_decision")
    op.execute(f"GRANT UPDATE, DELETE ON location_decision TO {ROLE}")
