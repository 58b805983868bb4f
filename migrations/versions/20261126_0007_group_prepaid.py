"""group payments and prepaid deposits: group_payment, group_payment_part, prepaid_deposit,
prepaid_draw (all append-only)

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-26 23:40:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0002'
branch_labels = None
depends_on = None

#: Append-only like payment (refuse_ledger_change() comes from 0001).
APPEND_ONLY = ("group_payment", "group_payment_part", "prepaid_deposit", "prepaid_draw")
CHANNEL = postgresql.ENUM(name="payment_channel", create_type=False)


def upgrade() -> None:
    op.create_table('group_payment',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('group_code', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unallocated', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('channel', CHANNEL, nullable=False),
    sa.Column('channel_txn_id', sa.String(length=64), nullable=True),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('amount > 0 AND amount < 100000000', name=op.f('ck_group_payment_amount_bounds')),
    sa.CheckConstraint('unallocated >= 0 AND unallocated <= amount', name=op.f('ck_group_payment_unallocated_bounds')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_group_payment_actor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_payment')),
    sa.UniqueConstraint('channel', 'channel_txn_id', name='uq_group_payment_channel_txn')
    )
    op.create_index(op.f('ix_group_payment_group_code'), 'group_payment', ['group_code'], unique=False)
    op.create_table('group_payment_part',
    sa.Column('payment_id', sa.UUID(), nullable=False),
    sa.Column('group_payment_id', sa.UUID(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_group_payment_part_account_id_account')),
    sa.ForeignKeyConstraint(['group_payment_id'], ['group_payment.id'], name=op.f('fk_group_payment_part_group_payment_id_group_payment')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_group_payment_part_payment_id_payment')),
    sa.PrimaryKeyConstraint('payment_id', name=op.f('pk_group_payment_part')),
    sa.UniqueConstraint('group_payment_id', 'account_id', name='uq_group_payment_part_account')
    )
    op.create_index(op.f('ix_group_payment_part_account_id'), 'group_payment_part', ['account_id'], unique=False)
    op.create_index(op.f('ix_group_payment_part_group_payment_id'), 'group_payment_part', ['group_payment_id'], unique=False)
    op.create_table('prepaid_deposit',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('channel', CHANNEL, nullable=False),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('amount > 0 AND amount < 100000000', name=op.f('ck_prepaid_deposit_amount_bounds')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_prepaid_deposit_account_id_account')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_prepaid_deposit_actor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prepaid_deposit'))
    )
    op.create_index(op.f('ix_prepaid_deposit_account_id'), 'prepaid_deposit', ['account_id'], unique=False)
    op.create_table('prepaid_draw',
    sa.Column('payment_id', sa.UUID(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('trigger', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('amount > 0 AND amount < 100000000', name=op.f('ck_prepaid_draw_amount_bounds')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_prepaid_draw_account_id_account')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_prepaid_draw_payment_id_payment')),
    sa.PrimaryKeyConstraint('payment_id', name=op.f('pk_prepaid_draw'))
    )
    op.create_index(op.f('ix_prepaid_draw_account_id'), 'prepaid_draw', ['account_id'], unique=False)
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change()"
        )


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.drop_index(op.f('ix_prepaid_draw_account_id'), table_name='prepaid_draw')
    op.drop_table('prepaid_draw')
    op.drop_index(op.f('ix_prepaid_deposit_account_id'), table_name='prepaid_deposit')
    op.drop_table('prepaid_deposit')
    op.drop_index(op.f('ix_group_payment_part_group_payment_id'), table_name='group_payment_part')
    op.drop_index(op.f('ix_group_payment_part_account_id'), table_name='group_payment_part')
    op.drop_table('group_payment_part')
    op.drop_index(op.f('ix_group_payment_group_code'), table_name='group_payment')
    op.drop_table('group_payment')
