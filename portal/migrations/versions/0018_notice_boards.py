"""notice boards (公开栏): each screen's settings, unguessable address and last heartbeat

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('board',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('orientation', sa.String(length=10), nullable=False),
    sa.Column('slides', sa.String(length=100), nullable=False),
    sa.Column('dwell_seconds', sa.Integer(), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=True),
    sa.Column('quiet_end', sa.Time(), nullable=True),
    sa.Column('quiet_weekends', sa.Boolean(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('last_shown', sa.String(length=20), nullable=False),
    sa.CheckConstraint("orientation IN ('landscape', 'portrait')", name=op.f('ck_board_orientation')),
    sa.CheckConstraint('dwell_seconds BETWEEN 5 AND 600', name=op.f('ck_board_dwell_seconds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board')),
    sa.UniqueConstraint('name', name=op.f('uq_board_name')),
    sa.UniqueConstraint('token', name=op.f('uq_board_token')),
    )


def downgrade() -> None:
    op.drop_table('board')
