"""collector profiles (end place, skills, day cap) and absences by date range, never
overlapping for one collector

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 11:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('collector_profile', sa.Column('ends_at_home', sa.Boolean(), nullable=True))
    op.add_column('collector_profile', sa.Column(
        'skills', postgresql.ARRAY(sa.String(length=32)), nullable=False,
        server_default=sa.text("'{}'")))
    op.add_column('collector_profile', sa.Column('day_cap', sa.Integer(), nullable=True))
    op.create_check_constraint(op.f('ck_collector_profile_day_cap_bounds'), 'collector_profile',
                               'day_cap > 0 AND day_cap <= 200')
    op.create_table('collector_absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('leave', 'training', 'sick', name='absence_kind'), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_collector_absence_day_order')),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_collector_absence_created_by_app_user')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_collector_absence_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collector_absence'))
    )
    op.create_index(op.f('ix_collector_absence_user_id'), 'collector_absence', ['user_id'], unique=False)
    op.execute(
        "ALTER TABLE collector_absence ADD CONSTRAINT ex_collector_absence_no_overlap "
        "EXCLUDE USING gist (user_id WITH =, daterange(first_day, last_day, '[]') WITH &&)"
    )


def downgrade() -> None:
    op.drop_table('collector_absence')
    op.execute("DROP TYPE IF EXISTS absence_kind")
    op.drop_constraint(op.f('ck_collector_profile_day_cap_bounds'), 'collector_profile', type_='check')
    for col in ('day_cap', 'skills', 'ends_at_home'):
        op.drop_column('collector_profile', col)
