"""decisions by the letter of the rules (issue 20): meeting cadence by the calendar

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

- ``dec_procedure.cadence_unit``: month | week | days. A stored version whose cadence was
  7 days reads as weekly, 28 to 31 days as monthly (what the texts say: 每月至少召开1次, the
  office meeting weekly); any other number of days stays a rolling count ("days").
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dec_procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cadence_unit', sa.String(length=8), server_default='days', nullable=False))
    op.execute("UPDATE dec_procedure SET cadence_unit = 'week' WHERE cadence_days = 7")
    op.execute("UPDATE dec_procedure SET cadence_unit = 'month' WHERE cadence_days BETWEEN 28 AND 31")


def downgrade() -> None:
    with op.batch_alter_table('dec_procedure', schema=None) as batch_op:
        batch_op.drop_column('cadence_unit')
