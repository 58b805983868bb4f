"""Indexes for the account list's pages by id: a station's accounts in id order, and a
station's or collector's owing accounts in id order

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 23:20:00

A page of a station's accounts by id walked the primary key past every other station's
accounts before its own (on the 1M county, 95,000 rows for the last station's first
page: accounts are numbered across stations as they are added). A page filtered to
accounts owing something (``arrears_min`` > 0, ``overdue_days_min``) reads the station's
or collector's ``account_balance`` rows in id order (``owing_page_query``) the same way.
"""
from alembic import op
import sqlalchemy as sa


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_account_station_id_id', 'account', ['station_id', 'id'])
    op.create_index('ix_account_balance_station_owing_id', 'account_balance',
                    ['station_id', 'account_id'], postgresql_where=sa.text('open_bills > 0'))
    op.create_index('ix_account_balance_responsible_owing_id', 'account_balance',
                    ['responsible_id', 'account_id'],
                    postgresql_where=sa.text('open_bills > 0'))


def downgrade() -> None:
    op.drop_index('ix_account_balance_responsible_owing_id', table_name='account_balance')
    op.drop_index('ix_account_balance_station_owing_id', table_name='account_balance')
    op.drop_index('ix_account_station_id_id', table_name='account')
