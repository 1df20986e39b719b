"""login throttling recognises the owner's browser (a signed device cookie), not the address:
failures made with a device cookie are counted against it; the known addresses go

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_login_failure_device'), ['device'], unique=False)

    with op.batch_alter_table('login_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_address_user_id'))
    op.drop_table('login_address')


def downgrade() -> None:
    # The addresses are not restored: the table comes back empty, as after 0005.
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

    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_device'))
        batch_op.drop_column('device')
