"""an organiser may hide a consultation comment with a reason on record

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consultation_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hidden_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_consultation_comment_hidden_by_id_user'), 'user',
                                    ['hidden_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('consultation_comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_consultation_comment_hidden_by_id_user'), type_='foreignkey')
        batch_op.drop_column('hidden_by_id')
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_at')
