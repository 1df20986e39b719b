"""an answer to an objection is final; later clarifications are dated additions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('objection_clarification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_objection_clarification_by_id_user')),
    sa.ForeignKeyConstraint(['objection_id'], ['notice_objection.id'], name=op.f('fk_objection_clarification_objection_id_notice_objection')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection_clarification')),
    )
    with op.batch_alter_table('objection_clarification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_clarification_objection_id'), ['objection_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('objection_clarification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_clarification_objection_id'))
    op.drop_table('objection_clarification')
