"""democratic evaluation: evaluations, the people rated, who rated, anonymous ratings, frozen tallies

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('period', sa.String(length=60), nullable=False),
    sa.Column('raters', sa.String(length=10), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('eligible_count', sa.Integer(), nullable=False),
    sa.Column('rater_count', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_evaluation_created_by_id_user')),
    sa.ForeignKeyConstraint(['term_id'], ['congress_term.id'], name=op.f('fk_evaluation_term_id_congress_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    )
    op.create_index(op.f('ix_evaluation_status'), 'evaluation', ['status'], unique=False)
    op.create_table('evaluation_subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_subject_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_evaluation_subject_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_subject')),
    sa.UniqueConstraint('evaluation_id', 'user_id', name=op.f('uq_evaluation_subject_evaluation_id_user_id')),
    )
    op.create_index(op.f('ix_evaluation_subject_evaluation_id'), 'evaluation_subject', ['evaluation_id'], unique=False)
    op.create_table('evaluation_rater',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_rater_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['user.id'], name=op.f('fk_evaluation_rater_rater_id_user')),
    sa.PrimaryKeyConstraint('evaluation_id', 'rater_id', name=op.f('pk_evaluation_rater')),
    )
    op.create_table('evaluation_rating',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_rating_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['evaluation_subject.id'], name=op.f('fk_evaluation_rating_subject_id_evaluation_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_evaluation_rating')),
    sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_evaluation_rating_evaluation_id'), 'evaluation_rating', ['evaluation_id'], unique=False)
    op.create_table('evaluation_tally',
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=12), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['evaluation_subject.id'], name=op.f('fk_evaluation_tally_subject_id_evaluation_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subject_id', 'grade', name=op.f('pk_evaluation_tally')),
    )


def downgrade() -> None:
    op.drop_table('evaluation_tally')
    op.drop_index(op.f('ix_evaluation_rating_evaluation_id'), table_name='evaluation_rating')
    op.drop_table('evaluation_rating')
    op.drop_table('evaluation_rater')
    op.drop_index(op.f('ix_evaluation_subject_evaluation_id'), table_name='evaluation_subject')
    op.drop_table('evaluation_subject')
    op.drop_index(op.f('ix_evaluation_status'), table_name='evaluation')
    op.drop_table('evaluation')
