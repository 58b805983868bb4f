"""ix_bill_period: the bills of a month (or a range of months) through an index

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 14:20:00

The KPIs read the bills issued in a period (month-end zero's bills of the month, the
collection rate's billed amount) without reading every month's bills.
"""
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_bill_period', 'bill', ['period'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_bill_period', table_name='bill')
