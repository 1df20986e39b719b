"""outside inspectors' accounts (督导 / 巡察): their dated terms

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

- ``inspector_term``: new, empty. An inspector's account holds the ``inspector`` role alone;
  what it may do, and on which days, is its term here.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inspector_term',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=60), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_inspector_term_ends_after_start')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_inspector_term_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inspector_term_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspector_term')),
    )
    with op.batch_alter_table('inspector_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspector_term_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inspector_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspector_term_user_id'))
    op.drop_table('inspector_term')
