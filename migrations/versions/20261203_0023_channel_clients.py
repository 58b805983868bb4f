"""online channels as principals: channel clients with their own signing keys

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 11:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("channel IN ('alipay', 'wechat', 'bank', 'kiosk')", name=op.f('ck_channel_client_channel_online')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_channel_client_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_client')),
    sa.UniqueConstraint('name', name=op.f('uq_channel_client_name'))
    )


def downgrade() -> None:
    op.drop_table('channel_client')
