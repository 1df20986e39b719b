"""congress sessions with their presence log; polls, frozen rosters, who voted, named votes, secret ballots and frozen counts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('congress_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=80), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requires_hall_code', sa.Boolean(), nullable=False),
    sa.Column('display_token', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['congress_term.id'], name=op.f('fk_congress_session_term_id_congress_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_session')),
    sa.UniqueConstraint('display_token', name=op.f('uq_congress_session_display_token')),
    sa.UniqueConstraint('term_id', 'number', name=op.f('uq_congress_session_term_id_number'))
    )
    with op.batch_alter_table('congress_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_session_term_id'), ['term_id'], unique=False)

    op.create_table('congress_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('first_in_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['congress_session.id'], name=op.f('fk_congress_attendance_session_id_congress_session')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_congress_attendance_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_attendance')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_congress_attendance_session_id_user_id'))
    )
    with op.batch_alter_table('congress_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('congress_poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('rule_num', sa.Integer(), nullable=False),
    sa.Column('rule_den', sa.Integer(), nullable=False),
    sa.Column('rule_strict', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('results_public', sa.Boolean(), nullable=False),
    sa.Column('roster_size', sa.Integer(), nullable=True),
    sa.Column('present_at_open', sa.Integer(), nullable=True),
    sa.Column('ballots_cast', sa.Integer(), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['congress_session.id'], name=op.f('fk_congress_poll_session_id_congress_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_poll'))
    )
    with op.batch_alter_table('congress_poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_poll_session_id'), ['session_id'], unique=False)

    op.create_table('congress_presence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('via', sa.String(length=8), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_congress_presence_by_id_user')),
    sa.ForeignKeyConstraint(['session_id'], ['congress_session.id'], name=op.f('fk_congress_presence_session_id_congress_session')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_congress_presence_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_presence'))
    )
    with op.batch_alter_table('congress_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_presence_session_id'), ['session_id'], unique=False)

    op.create_table('congress_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['congress_poll.id'], name=op.f('fk_congress_candidate_poll_id_congress_poll')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_candidate'))
    )
    with op.batch_alter_table('congress_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_candidate_poll_id'), ['poll_id'], unique=False)

    op.create_table('congress_named_vote',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=400), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['congress_poll.id'], name=op.f('fk_congress_named_vote_poll_id_congress_poll')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_congress_named_vote_user_id_user')),
    sa.PrimaryKeyConstraint('poll_id', 'user_id', name=op.f('pk_congress_named_vote'))
    )
    op.create_table('congress_participation',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['congress_poll.id'], name=op.f('fk_congress_participation_poll_id_congress_poll')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_congress_participation_user_id_user')),
    sa.PrimaryKeyConstraint('poll_id', 'user_id', name=op.f('pk_congress_participation'))
    )
    op.create_table('congress_poll_count',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['congress_poll.id'], name=op.f('fk_congress_poll_count_poll_id_congress_poll')),
    sa.PrimaryKeyConstraint('poll_id', 'code', name=op.f('pk_congress_poll_count'))
    )
    op.create_table('congress_poll_eligible',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['congress_poll.id'], name=op.f('fk_congress_poll_eligible_poll_id_congress_poll')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_congress_poll_eligible_user_id_user')),
    sa.PrimaryKeyConstraint('poll_id', 'user_id', name=op.f('pk_congress_poll_eligible'))
    )
    op.create_table('congress_secret_ballot',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=400), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['congress_poll.id'], name=op.f('fk_congress_secret_ballot_poll_id_congress_poll')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_congress_secret_ballot')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('congress_secret_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_congress_secret_ballot_poll_id'), ['poll_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('congress_secret_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_secret_ballot_poll_id'))

    op.drop_table('congress_secret_ballot')
    op.drop_table('congress_poll_eligible')
    op.drop_table('congress_poll_count')
    op.drop_table('congress_participation')
    op.drop_table('congress_named_vote')
    with op.batch_alter_table('congress_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_candidate_poll_id'))

    op.drop_table('congress_candidate')
    with op.batch_alter_table('congress_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_presence_session_id'))

    op.drop_table('congress_presence')
    with op.batch_alter_table('congress_poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_poll_session_id'))

    op.drop_table('congress_poll')
    with op.batch_alter_table('congress_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_attendance_session_id'))

    op.drop_table('congress_attendance')
    with op.batch_alter_table('congress_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_congress_session_term_id'))

    op.drop_table('congress_session')
