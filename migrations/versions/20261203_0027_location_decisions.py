"""location_decision: a supervisor accepts or rejects a visit's GPS fix proposed for an
approximate account; the account's location history, append-only

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 12:45:00
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def _point(name: str) -> sa.Column:
    return sa.Column(name, Geometry(geometry_type='POINT', srid=4326, dimension=2,
                                    spatial_index=False, from_text='ST_GeomFromEWKT',
                                    name='geometry', nullable=False), nullable=False)


def upgrade() -> None:
    op.create_geospatial_table(
        'location_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('visit_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('decision', sa.Enum('accepted', 'rejected', name='location_decision_kind'),
                  nullable=False),
        _point('from_location'),
        sa.Column('from_quality', postgresql.ENUM('exact', 'approximate',
                                                  name='location_quality', create_type=False),
                  nullable=False),
        _point('to_location'),
        sa.Column('fix_accuracy_m', sa.Float(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                                name=op.f('fk_location_decision_account_id_account')),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id'],
                                name=op.f('fk_location_decision_visit_id_visit')),
        sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'],
                                name=op.f('fk_location_decision_decided_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_location_decision')),
        sa.UniqueConstraint('visit_id', name=op.f('uq_location_decision_visit_id')),
    )
    op.create_index(op.f('ix_location_decision_account_id'), 'location_decision',
                    ['account_id'], unique=False)
    op.execute(
        "CREATE TRIGGER location_decision_append_only BEFORE UPDATE OR DELETE "
        "ON location_decision FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()"
    )


def downgrade() -> None:
    op.drop_table('location_decision')
    op.execute("DROP TYPE IF EXISTS location_decision_kind")
