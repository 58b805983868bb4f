"""accounts: pg_trgm indexes for free-text search on account name, address and number

Revision ID: 0002
Revises: 0003
Create Date: 2026-11-26 22:45:00

Chained on 0003 (money), the head when this was written, to keep a single head.
"""
from alembic import op

revision = '0002'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = ("name", "address", "number")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.create_index(
            f"ix_account_{column}_trgm",
            "account",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_account_{column}_trgm", table_name="account")
