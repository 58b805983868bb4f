"""A station's workload reads its accounts and their sums from indexes alone: the owing
accounts' id index of ``account_balance`` carries ``open_principal`` and
``latest_open_period``, the station's id index of ``account`` carries ``responsible_id``
and ``location``

Revision ID: 0038
Revises: 0036
Create Date: 2026-12-04 06:50:00

``core.accounts.workload`` reads every account of a station and the settled sums of its
owing ones (``core.money.arrears``). On the 1M county a station's 50,000
``account_balance`` rows lie on every one of the table's 7,353 pages (rows are updated
in ledger order, not by station): reading them took ~45 ms, index-only ~10 ms; the
account rows ~13 ms, index-only ~6 ms. The indexes replace 0035's of the same keys
(INCLUDE adds no write: each included column is already a key of another index, so no
update was HOT before either). Built in a transaction: a few seconds on the 1M county.
"""
from alembic import op
import sqlalchemy as sa


revision = '0038'
down_revision = '0036'
branch_labels = None
depends_on = None

_OWING = sa.text('open_bills > 0')
_SUMS = ['open_principal', 'latest_open_period']


def upgrade() -> None:
    op.drop_index('ix_account_balance_station_owing_id', table_name='account_balance')
    op.create_index('ix_account_balance_station_owing_id', 'account_balance',
                    ['station_id', 'account_id'], postgresql_where=_OWING,
                    postgresql_include=_SUMS)
    op.drop_index('ix_account_balance_responsible_owing_id', table_name='account_balance')
    op.create_index('ix_account_balance_responsible_owing_id', 'account_balance',
                    ['responsible_id', 'account_id'], postgresql_where=_OWING,
                    postgresql_include=_SUMS)
    op.drop_index('ix_account_station_id_id', table_name='account')
    op.create_index('ix_account_station_id_id', 'account', ['station_id', 'id'],
                    postgresql_include=['responsible_id', 'location'])


def downgrade() -> None:
    op.drop_index('ix_account_station_id_id', table_name='account')
    op.create_index('ix_account_station_id_id', 'account', ['station_id', 'id'])
    op.drop_index('ix_account_balance_responsible_owing_id', table_name='account_balance')
    op.create_index('ix_account_balance_responsible_owing_id', 'account_balance',
                    ['responsible_id', 'account_id'], postgresql_where=_OWING)
    op.drop_index('ix_account_balance_station_owing_id', table_name='account_balance')
    op.create_index('ix_account_balance_station_owing_id', 'account_balance',
                    ['station_id', 'account_id'], postgresql_where=_OWING)
