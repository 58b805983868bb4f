"""bill adjustments: a re-billed amount is an append-only entry, never an overwrite; the
phones hear of it through the change log

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 11:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

SYNC = """
CREATE FUNCTION sync_log_bill_adjustments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_log (audience_id, entity, entity_id, op)
    SELECT DISTINCT a.responsible_id, 'account', a.id::text, 'upsert'
    FROM new_rows r JOIN bill b ON b.id = r.bill_id JOIN account a ON a.id = b.account_id
    WHERE a.responsible_id IS NOT NULL;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.add_column('bill', sa.Column('reading_from', sa.Numeric(precision=12, scale=2), nullable=True))
    op.add_column('bill', sa.Column('reading_to', sa.Numeric(precision=12, scale=2), nullable=True))
    op.create_table('bill_adjustment',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('delta', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('old_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('new_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('delta = new_amount - old_amount AND delta <> 0', name=op.f('ck_bill_adjustment_delta_adds_up')),
    sa.CheckConstraint('new_amount > 0 AND new_amount < 100000000', name=op.f('ck_bill_adjustment_new_amount_bounds')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_bill_adjustment_actor_id_app_user')),
    sa.ForeignKeyConstraint(['bill_id'], ['bill.id'], name=op.f('fk_bill_adjustment_bill_id_bill')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_adjustment'))
    )
    op.create_index(op.f('ix_bill_adjustment_bill_id'), 'bill_adjustment', ['bill_id'], unique=False)
    op.execute(
        "CREATE TRIGGER bill_adjustment_append_only BEFORE UPDATE OR DELETE ON bill_adjustment "
        "FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()"
    )
    op.execute(
        "CREATE TRIGGER bill_adjustment_no_truncate BEFORE TRUNCATE ON bill_adjustment "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON bill_adjustment FROM arrears_app")
    op.execute(SYNC)
    op.execute(
        "CREATE TRIGGER bill_adjustment_sync AFTER INSERT ON bill_adjustment "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION sync_log_bill_adjustments()"
    )


def downgrade() -> None:
    op.drop_table('bill_adjustment')
    op.execute("DROP FUNCTION IF EXISTS sync_log_bill_adjustments()")
    op.drop_column('bill', 'reading_to')
    op.drop_column('bill', 'reading_from')
