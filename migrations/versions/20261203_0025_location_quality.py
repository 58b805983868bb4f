"""account.location_quality: exact (a surveyed/GPS point) or approximate (placed at its
village's gazetteer point, issue 12 item 5)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 12:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

QUALITY = sa.Enum('exact', 'approximate', name='location_quality')


def upgrade() -> None:
    QUALITY.create(op.get_bind(), checkfirst=True)
    op.add_column(
        'account',
        sa.Column('location_quality', QUALITY, nullable=False, server_default='exact'),
    )


def downgrade() -> None:
    op.drop_column('account', 'location_quality')
    QUALITY.drop(op.get_bind(), checkfirst=True)
