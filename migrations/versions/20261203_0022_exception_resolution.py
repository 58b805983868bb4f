"""the review queue's append-only resolution record

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 11:05:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

ROLE = "arrears_app"
TABLE = "exception_resolution"


def upgrade() -> None:
    op.create_table(TABLE,
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('exception_kind', sa.String(length=16), nullable=False),
    sa.Column('exception_id', postgresql.UUID(as_uuid=True), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("exception_kind IN ('overpayment', 'quarantine')", name=op.f('ck_exception_resolution_exception_kind_known')),
    sa.CheckConstraint("action IN ('kept_as_credit', 'refunded', 'returned_to_payer', 'duplicate', 'matched')", name=op.f('ck_exception_resolution_action_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_exception_resolution_actor_id_app_user')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_exception_resolution_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exception_resolution')),
    sa.UniqueConstraint('exception_id', name=op.f('uq_exception_resolution_exception_id'))
    )
    op.create_index(op.f('ix_exception_resolution_station_id'), TABLE, ['station_id'], unique=False)
    op.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change()"
    )
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM {ROLE}")


def downgrade() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
    op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
    op.drop_index(op.f('ix_exception_resolution_station_id'), table_name=TABLE)
    op.drop_table(TABLE)
