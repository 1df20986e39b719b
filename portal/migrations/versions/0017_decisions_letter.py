"""decisions by the letter of the rules (issue 20): meeting cadence by the calendar; the
recorder's own part of the minutes (会议记录)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

- ``dec_procedure.cadence_unit``: month | week | days. A stored version whose cadence was
  7 days reads as weekly, 28 to 31 days as monthly (what the texts say: 每月至少召开1次, the
  office meeting weekly); any other number of days stays a rolling count ("days").
- ``dec_item.discussion`` (讨论情况), ``dec_meeting.minutes_remarks`` and
  ``minutes_saved_at``: what the recorder writes, empty for meetings already held (their
  signed minutes keep their frozen text and hash).
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
    with op.batch_alter_table('dec_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discussion', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('dec_meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_remarks', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('minutes_saved_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dec_meeting', schema=None) as batch_op:
        batch_op.drop_column('minutes_saved_at')
        batch_op.drop_column('minutes_remarks')
    with op.batch_alter_table('dec_item', schema=None) as batch_op:
        batch_op.drop_column('discussion')
    with op.batch_alter_table('dec_procedure', schema=None) as batch_op:
        batch_op.drop_column('cadence_unit')
