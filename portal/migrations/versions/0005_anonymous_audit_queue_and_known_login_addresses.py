"""anonymous acts wait for the audit chain by day; addresses each account logged in from

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_pending',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_pending')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_pending_day'), ['day'], unique=False)

    op.create_table('login_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_address_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_address')),
    sa.UniqueConstraint('user_id', 'address', name=op.f('uq_login_address_user_id_address')),
    )
    with op.batch_alter_table('login_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_address_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_address_user_id'))
    op.drop_table('login_address')
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_pending_day'))
    op.drop_table('audit_pending')
