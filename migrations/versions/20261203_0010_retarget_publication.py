"""quarantine re-targets and plan publications: append-only records

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ROLE = "arrears_app"
APPEND_ONLY = ("quarantine_retarget", "plan_publication")


def upgrade() -> None:
    op.create_table('quarantine_retarget',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('quarantine_id', postgresql.UUID(as_uuid=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_quarantine_retarget_account_id_account')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_quarantine_retarget_actor_id_app_user')),
    sa.ForeignKeyConstraint(['quarantine_id'], ['payment_quarantine.id'], name=op.f('fk_quarantine_retarget_quarantine_id_payment_quarantine')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_quarantine_retarget_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine_retarget'))
    )
    op.create_index(op.f('ix_quarantine_retarget_quarantine_id'), 'quarantine_retarget', ['quarantine_id'], unique=False)
    op.create_index(op.f('ix_quarantine_retarget_station_id'), 'quarantine_retarget', ['station_id'], unique=False)
    op.create_table('plan_publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('feasible', sa.Boolean(), nullable=True),
    sa.Column('violations', sa.Integer(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_plan_publication_actor_id_app_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_publication_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_publication'))
    )
    op.create_index(op.f('ix_plan_publication_plan_id'), 'plan_publication', ['plan_id'], unique=False)
    for table in APPEND_ONLY:
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
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.drop_index(op.f('ix_plan_publication_plan_id'), table_name='plan_publication')
    op.drop_table('plan_publication')
    op.drop_index(op.f('ix_quarantine_retarget_station_id'), table_name='quarantine_retarget')
    op.drop_index(op.f('ix_quarantine_retarget_quarantine_id'), table_name='quarantine_retarget')
    op.drop_table('quarantine_retarget')
