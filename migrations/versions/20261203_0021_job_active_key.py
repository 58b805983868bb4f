"""job floods: one active job per key (a station's day for plans, a collector for re-plans)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 11:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('job', sa.Column('active_key', sa.String(length=80), nullable=True))
    op.create_index(
        'uq_job_active_key', 'job', ['active_key'], unique=True,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index('uq_job_active_key', table_name='job')
    op.drop_column('job', 'active_key')
