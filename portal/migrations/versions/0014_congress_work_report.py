"""congress: the principal's work report with the representatives' opinions, and reports
compiled for a session

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('congress_session') as batch_op:
        batch_op.add_column(sa.Column('work_report_required', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table('congress_work_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['congress_session_document.id'], name=op.f('fk_congress_work_report_document_id_congress_session_document')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user.id'], name=op.f('fk_congress_work_report_filed_by_id_user')),
    sa.ForeignKeyConstraint(['session_id'], ['congress_session.id'], name=op.f('fk_congress_work_report_session_id_congress_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_work_report')),
    sa.UniqueConstraint('session_id', name=op.f('uq_congress_work_report_session_id')),
    )
    op.create_table('congress_work_report_read',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['congress_work_report.id'], name=op.f('fk_congress_work_report_read_report_id_congress_work_report')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_congress_work_report_read_user_id_user')),
    sa.PrimaryKeyConstraint('report_id', 'user_id', name=op.f('pk_congress_work_report_read')),
    )
    op.create_table('congress_work_report_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_congress_work_report_opinion_answered_by_id_user')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_congress_work_report_opinion_author_id_user')),
    sa.ForeignKeyConstraint(['report_id'], ['congress_work_report.id'], name=op.f('fk_congress_work_report_opinion_report_id_congress_work_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_work_report_opinion')),
    )
    op.create_index(op.f('ix_congress_work_report_opinion_report_id'), 'congress_work_report_opinion', ['report_id'], unique=False)
    op.create_table('congress_session_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('compiled_by_id', sa.Integer(), nullable=False),
    sa.Column('compiled_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['compiled_by_id'], ['user.id'], name=op.f('fk_congress_session_report_compiled_by_id_user')),
    sa.ForeignKeyConstraint(['document_id'], ['congress_session_document.id'], name=op.f('fk_congress_session_report_document_id_congress_session_document')),
    sa.ForeignKeyConstraint(['session_id'], ['congress_session.id'], name=op.f('fk_congress_session_report_session_id_congress_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_session_report')),
    )
    op.create_index(op.f('ix_congress_session_report_session_id'), 'congress_session_report', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_congress_session_report_session_id'), table_name='congress_session_report')
    op.drop_table('congress_session_report')
    op.drop_index(op.f('ix_congress_work_report_opinion_report_id'), table_name='congress_work_report_opinion')
    op.drop_table('congress_work_report_opinion')
    op.drop_table('congress_work_report_read')
    op.drop_table('congress_work_report')
    with op.batch_alter_table('congress_session') as batch_op:
        batch_op.drop_column('work_report_required')
