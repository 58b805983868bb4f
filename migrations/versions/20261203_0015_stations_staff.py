"""stations that a county sets up itself (service area, working days, default shift and lunch,
payment hall hours, closing) and staff passwords (one-time tokens, forced change)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:50:00
"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('station', sa.Column(
        'service_area', geoalchemy2.types.Geometry(
            geometry_type='MULTIPOLYGON', srid=4326, spatial_index=False,
            from_text='ST_GeomFromEWKT', name='geometry'), nullable=True))
    op.add_column('station', sa.Column(
        'working_days', postgresql.ARRAY(sa.SmallInteger()), nullable=False,
        server_default=sa.text("'{1,2,3,4,5,6,7}'")))
    op.add_column('station', sa.Column('shift_start', sa.Time(), nullable=False,
                                       server_default=sa.text("'08:00'")))
    op.add_column('station', sa.Column('shift_end', sa.Time(), nullable=False,
                                       server_default=sa.text("'17:30'")))
    op.add_column('station', sa.Column('break_start', sa.Time(), nullable=True,
                                       server_default=sa.text("'12:00'")))
    op.add_column('station', sa.Column('break_minutes', sa.Integer(), nullable=False,
                                       server_default=sa.text('60')))
    op.add_column('station', sa.Column('hall_opens', sa.Time(), nullable=True))
    op.add_column('station', sa.Column('hall_closes', sa.Time(), nullable=True))
    op.add_column('station', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(op.f('ck_station_shift_order'), 'station',
                               'shift_end > shift_start')
    op.create_check_constraint(op.f('ck_station_break_bounds'), 'station',
                               'break_minutes >= 0 AND break_minutes <= 240')
    op.create_check_constraint(op.f('ck_station_hall_hours_order'), 'station',
                               'hall_closes > hall_opens')
    op.add_column('app_user', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.create_table('password_token',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_password_token_created_by_app_user')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_password_token_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_password_token'))
    )
    op.create_index(op.f('ix_password_token_user_id'), 'password_token', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_password_token_user_id'), table_name='password_token')
    op.drop_table('password_token')
    op.drop_column('app_user', 'must_change_password')
    for name in ('hall_hours_order', 'break_bounds', 'shift_order'):
        op.drop_constraint(op.f(f'ck_station_{name}'), 'station', type_='check')
    for col in ('closed_at', 'hall_closes', 'hall_opens', 'break_minutes', 'break_start',
                'shift_end', 'shift_start', 'working_days', 'service_area'):
        op.drop_column('station', col)
