"""the station's calendar of the villages' rhythms (festival and harvest returns, holidays,
market days per village) and calls ahead with their outcomes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:32:53.201782
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('festival', 'harvest', 'holiday', name='period_kind'), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_calendar_period_day_order')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_calendar_period_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_period'))
    )
    op.create_index(op.f('ix_calendar_period_station_id'), 'calendar_period', ['station_id'], unique=False)
    op.create_table('market_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('village', sa.String(length=100), nullable=False),
    sa.Column('weekdays', postgresql.ARRAY(sa.SmallInteger()), nullable=False),
    sa.Column('month_days', postgresql.ARRAY(sa.SmallInteger()), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_market_day_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_day')),
    sa.UniqueConstraint('station_id', 'village', name='uq_market_day_village')
    )
    op.create_index(op.f('ix_market_day_station_id'), 'market_day', ['station_id'], unique=False)
    op.create_table('call',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('for_date', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Enum('home_at', 'pay_online', 'refuses', 'away', 'no_answer', name='call_outcome'), nullable=False),
    sa.Column('home_from', sa.Time(), nullable=True),
    sa.Column('home_until', sa.Time(), nullable=True),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('server_time', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('body_hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint("(outcome = 'home_at') = (home_from IS NOT NULL AND home_until IS NOT NULL)", name=op.f('ck_call_home_at_has_window')),
    sa.CheckConstraint('home_until > home_from', name=op.f('ck_call_window_order')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_call_account_id_account')),
    sa.ForeignKeyConstraint(['collector_id'], ['app_user.id'], name=op.f('fk_call_collector_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call'))
    )
    op.create_index(op.f('ix_call_account_id'), 'call', ['account_id'], unique=False)
    op.create_index(op.f('ix_call_collector_id'), 'call', ['collector_id'], unique=False)
    op.create_index(op.f('ix_call_for_date'), 'call', ['for_date'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_call_for_date'), table_name='call')
    op.drop_index(op.f('ix_call_collector_id'), table_name='call')
    op.drop_index(op.f('ix_call_account_id'), table_name='call')
    op.drop_table('call')
    op.drop_index(op.f('ix_market_day_station_id'), table_name='market_day')
    op.drop_table('market_day')
    op.drop_index(op.f('ix_calendar_period_station_id'), table_name='calendar_period')
    op.drop_table('calendar_period')
    op.execute("DROP TYPE IF EXISTS call_outcome")
    op.execute("DROP TYPE IF EXISTS period_kind")
