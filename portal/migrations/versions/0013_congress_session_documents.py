"""congress: session papers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('congress_session_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['congress_session.id'], name=op.f('fk_congress_session_document_session_id_congress_session')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_congress_session_document_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_congress_session_document')),
    )
    op.create_index(op.f('ix_congress_session_document_session_id'), 'congress_session_document', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_congress_session_document_session_id'), table_name='congress_session_document')
    op.drop_table('congress_session_document')
