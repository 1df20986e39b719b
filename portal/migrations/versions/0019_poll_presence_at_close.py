"""congress polls record how many of their eligible representatives were present at close
(a motion whose hall fell below the quorum before the close is not carried)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Polls closed before this release keep NULL: their presence at close was not recorded,
    # and their results read as they did.
    with op.batch_alter_table('congress_poll', schema=None) as batch_op:
        batch_op.add_column(sa.Column('present_at_close', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('congress_poll', schema=None) as batch_op:
        batch_op.drop_column('present_at_close')
