"""the supervisor's numbers: the per-station distance past which a visit's fix is flagged,
and indexes on the instants the visit log and the KPIs select by

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'station',
        sa.Column('visit_flag_distance_m', sa.Integer(), server_default=sa.text('300'), nullable=False),
    )
    op.create_check_constraint(
        op.f('ck_station_visit_flag_distance_bounds'),
        'station',
        'visit_flag_distance_m > 0 AND visit_flag_distance_m <= 100000',
    )
    op.create_index(op.f('ix_visit_device_time'), 'visit', ['device_time'], unique=False)
    op.create_index(op.f('ix_payment_collected_at'), 'payment', ['collected_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_payment_collected_at'), table_name='payment')
    op.drop_index(op.f('ix_visit_device_time'), table_name='visit')
    op.drop_constraint(op.f('ck_station_visit_flag_distance_bounds'), 'station', type_='check')
    op.drop_column('station', 'visit_flag_distance_m')
