"""ix_bill_balance_account_due: an account's bills by due date from their maintained
rows (the planner's payment records over the last year read no ``bill``)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 14:40:00
"""
from alembic import op


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_bill_balance_account_due', 'bill_balance', ['account_id', 'due_date'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_bill_balance_account_due', table_name='bill_balance')
