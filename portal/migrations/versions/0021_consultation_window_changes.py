"""an organiser may end a consultation early or extend it, with a reason on record

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consultation_window_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('closes_before', sa.DateTime(), nullable=False),
    sa.Column('closes_after', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_consultation_window_change_by_id_user')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_consultation_window_change_consultation_id_consultation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_window_change'))
    )
    with op.batch_alter_table('consultation_window_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_window_change_consultation_id'), ['consultation_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consultation_window_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_window_change_consultation_id'))
    op.drop_table('consultation_window_change')
