"""device receipt series and their blocks (receipt numbers for offline doors); payment
receipt numbers up to 64 characters

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ROLE = "arrears_app"


def upgrade() -> None:
    op.create_table('receipt_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=48), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['collector_id'], ['app_user.id'], name=op.f('fk_receipt_series_collector_id_app_user')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_receipt_series_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_series')),
    sa.UniqueConstraint('collector_id', 'device_id', name='uq_receipt_series_device'),
    sa.UniqueConstraint('prefix', name=op.f('uq_receipt_series_prefix'))
    )
    op.create_index(op.f('ix_receipt_series_collector_id'), 'receipt_series', ['collector_id'], unique=False)
    op.create_index(op.f('ix_receipt_series_station_id'), 'receipt_series', ['station_id'], unique=False)
    op.create_table('receipt_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('first >= 1 AND last >= first AND last < 1000000', name=op.f('ck_receipt_block_counter_range')),
    sa.ForeignKeyConstraint(['series_id'], ['receipt_series.id'], name=op.f('fk_receipt_block_series_id_receipt_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_block')),
    sa.UniqueConstraint('series_id', 'first', name='uq_receipt_block_first')
    )
    op.create_index(op.f('ix_receipt_block_series_id'), 'receipt_block', ['series_id'], unique=False)
    op.alter_column('payment', 'receipt_no', type_=sa.String(length=64), existing_nullable=True)
    # Issued numbers are never taken back: both tables refuse UPDATE and DELETE (a series
    # is serialised with an advisory lock, not a row lock).
    for table in ("receipt_series", "receipt_block"):
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
    for table in ("receipt_series", "receipt_block"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.alter_column('payment', 'receipt_no', type_=sa.String(length=32), existing_nullable=True)
    op.drop_index(op.f('ix_receipt_block_series_id'), table_name='receipt_block')
    op.drop_table('receipt_block')
    op.drop_index(op.f('ix_receipt_series_station_id'), table_name='receipt_series')
    op.drop_index(op.f('ix_receipt_series_collector_id'), table_name='receipt_series')
    op.drop_table('receipt_series')
