"""village_place: the station's village gazetteer (name, township, point); accounts
without coordinates are placed at their village's point (issue 12 item 5)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 12:40:00
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table(
        'village_place',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('township', sa.String(length=100), nullable=False),
        sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2,
                                       spatial_index=False, from_text='ST_GeomFromEWKT',
                                       name='geometry', nullable=False), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['station.id'],
                                name=op.f('fk_village_place_station_id_station')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_village_place')),
        sa.UniqueConstraint('station_id', 'township', 'name',
                            name=op.f('uq_village_place_station_id')),
    )
    op.create_geospatial_index('idx_village_place_location', 'village_place', ['location'],
                               unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_village_place_station_id'), 'village_place', ['station_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_table('village_place')
