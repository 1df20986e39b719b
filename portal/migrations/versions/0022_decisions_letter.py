"""decisions by the letter of the rules (issue 20): meeting cadence by the calendar; the
recorder's own part of the minutes (会议记录); Party-meeting decisions published to 党务公开;
meeting papers as files with read receipts

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

- ``dec_procedure.cadence_unit``: month | week | days. A stored version whose cadence was
  7 days reads as weekly, 28 to 31 days as monthly (what the texts say: 每月至少召开1次, the
  office meeting weekly); any other number of days stays a rolling count ("days").
- ``dec_item.discussion`` (讨论情况), ``dec_meeting.minutes_remarks`` and
  ``minutes_saved_at``: what the recorder writes, empty for meetings already held (their
  signed minutes keep their frozen text and hash).
- ``dec_resolution.notice_id``: the 党务公开 notice a decision was published as (none yet).
- ``catalog_item.receives`` / ``event_days``: a per-event (随时) item judged by the events it
  discloses; the Party channel's item named 党组织会议决定事项 (the demo's, and the usual name)
  receives the Party meeting's decisions, within 5 working days.
- ``dec_paper`` (会议材料, files) and ``dec_paper_receipt`` (who marked them read): new, empty.
- ``dec_supervision_opinion`` (监督意见 and the secretary's answers): new, empty.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
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
    with op.batch_alter_table('dec_resolution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_dec_resolution_notice_id'), ['notice_id'])
        batch_op.create_foreign_key(batch_op.f('fk_dec_resolution_notice_id_notice'), 'notice', ['notice_id'], ['id'])
    with op.batch_alter_table('catalog_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receives', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('event_days', sa.Integer(), server_default='5', nullable=False))
    op.create_table('dec_paper',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['dec_item.id'], name=op.f('fk_dec_paper_item_id_dec_item')),
    sa.ForeignKeyConstraint(['meeting_id'], ['dec_meeting.id'], name=op.f('fk_dec_paper_meeting_id_dec_meeting'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_dec_paper_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dec_paper')),
    )
    with op.batch_alter_table('dec_paper', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dec_paper_meeting_id'), ['meeting_id'], unique=False)
    op.create_table('dec_paper_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['dec_meeting.id'],
                            name=op.f('fk_dec_paper_receipt_meeting_id_dec_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_dec_paper_receipt_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dec_paper_receipt')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_dec_paper_receipt_meeting_id_user_id')),
    )
    with op.batch_alter_table('dec_paper_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dec_paper_receipt_meeting_id'), ['meeting_id'], unique=False)
    op.create_table('dec_supervision_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("subject_kind IN ('meeting', 'item', 'resolution')",
                       name=op.f('ck_dec_supervision_opinion_subject_kind')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_dec_supervision_opinion_answered_by_id_user')),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_dec_supervision_opinion_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dec_supervision_opinion')),
    )
    with op.batch_alter_table('dec_supervision_opinion', schema=None) as batch_op:
        batch_op.create_index('ix_dec_supervision_opinion_subject', ['subject_kind', 'subject_id'], unique=False)
    op.execute("UPDATE catalog_item SET receives = 'party_decision' "
               "WHERE channel = 'party' AND cadence = 'event' AND name = '党组织会议决定事项'")


def downgrade() -> None:
    op.drop_table('dec_supervision_opinion')
    op.drop_table('dec_paper_receipt')
    op.drop_table('dec_paper')
    with op.batch_alter_table('catalog_item', schema=None) as batch_op:
        batch_op.drop_column('event_days')
        batch_op.drop_column('receives')
    with op.batch_alter_table('dec_resolution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dec_resolution_notice_id_notice'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_dec_resolution_notice_id'), type_='unique')
        batch_op.drop_column('notice_id')
    with op.batch_alter_table('dec_meeting', schema=None) as batch_op:
        batch_op.drop_column('minutes_saved_at')
        batch_op.drop_column('minutes_remarks')
    with op.batch_alter_table('dec_item', schema=None) as batch_op:
        batch_op.drop_column('discussion')
    with op.batch_alter_table('dec_procedure', schema=None) as batch_op:
        batch_op.drop_column('cadence_unit')
