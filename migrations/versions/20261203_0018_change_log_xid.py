"""the change log by writing transaction: which collectors' route documents a commit changes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 11:10:00
"""
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # api/route_cache.py reads the rows of the committing transaction
    # (core/field/route_versions.py): an index lookup, not a scan of the log.
    op.create_index('ix_change_log_xid', 'change_log', ['xid'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_change_log_xid', table_name='change_log')
