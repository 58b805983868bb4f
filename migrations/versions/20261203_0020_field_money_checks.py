"""field money checks: each station's cap on confirmed field payments beyond what is owed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 10:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'station',
        sa.Column('field_payment_cap', sa.Numeric(14, 2), server_default='10000.00', nullable=False),
    )
    op.create_check_constraint(
        op.f('ck_station_field_cap_bounds'), 'station', 'field_payment_cap > 0 AND field_payment_cap < 100000000'
    )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_station_field_cap_bounds'), 'station', type_='check')
    op.drop_column('station', 'field_payment_cap')
