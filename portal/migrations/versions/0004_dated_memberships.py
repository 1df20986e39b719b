"""dated memberships: seats on bodies and the congress roster decide offices; department heads

The global roles ``secretary``, ``principal`` and ``rep`` duplicated body membership and the
term roster. Each such role row becomes a seat (or a roster entry) where none exists, and the
role rows are removed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BODY_NAMES = {"party_committee": "党组织委员会", "admin_team": "校长办公会议"}
SEAT_BY_TITLE = {
    ("party_committee", "书记"): "chair", ("party_committee", "副书记"): "deputy",
    ("admin_team", "校长"): "chair", ("admin_team", "副校长"): "deputy",
    ("union_committee", "工会主席"): "chair", ("union_committee", "副主席"): "deputy",
}


def upgrade() -> None:
    with op.batch_alter_table('body_member') as batch:
        batch.add_column(sa.Column('seat', sa.String(10), nullable=False, server_default='member'))
        batch.add_column(sa.Column('starts_on', sa.Date(), nullable=False, server_default='2000-01-01'))
        batch.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch.drop_constraint('uq_body_member_body_id_user_id', type_='unique')
        batch.create_index('ix_body_member_body_id', ['body_id'])
        batch.create_index('ix_body_member_user_id', ['user_id'])
    with op.batch_alter_table('congress_representative') as batch:
        batch.add_column(sa.Column('joined_on', sa.Date(), nullable=False, server_default='2000-01-01'))
        batch.add_column(sa.Column('left_on', sa.Date(), nullable=True))
        batch.create_index('ix_congress_representative_user_id', ['user_id'])
    with op.batch_alter_table('department') as batch:
        batch.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('head_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_department_head_id_user', 'user', ['head_id'], ['id'], ondelete='SET NULL')

    conn = op.get_bind()
    for (kind, title), seat in SEAT_BY_TITLE.items():
        conn.execute(sa.text(
            "UPDATE body_member SET seat = :seat WHERE title = :title "
            "AND body_id IN (SELECT id FROM body WHERE kind = :kind)"), {"seat": seat, "title": title, "kind": kind})
    conn.execute(sa.text(
        "UPDATE congress_representative SET joined_on = "
        "(SELECT starts_on FROM congress_term WHERE congress_term.id = congress_representative.term_id)"))
    conn.execute(sa.text("UPDATE department SET position = id"))

    def body_id(kind: str) -> int:
        found = conn.execute(sa.text("SELECT id FROM body WHERE kind = :k"), {"k": kind}).scalar()
        if found is None:
            conn.execute(sa.text("INSERT INTO body (kind, name) VALUES (:k, :n)"), {"k": kind, "n": BODY_NAMES[kind]})
            found = conn.execute(sa.text("SELECT id FROM body WHERE kind = :k"), {"k": kind}).scalar_one()
        return int(found)

    for role, kind, title in (("secretary", "party_committee", "书记"), ("principal", "admin_team", "校长")):
        holders = conn.execute(sa.text("SELECT user_id FROM user_role WHERE role = :r ORDER BY user_id"), {"r": role}).scalars().all()
        if not holders:
            continue
        body = body_id(kind)
        if conn.execute(sa.text("SELECT 1 FROM body_member WHERE body_id = :b AND seat = 'chair' AND ends_on IS NULL"),
                        {"b": body}).first() is None:
            conn.execute(sa.text(
                "INSERT INTO body_member (body_id, user_id, seat, title, position, starts_on) "
                "VALUES (:b, :u, 'chair', :t, -1, '2000-01-01')"), {"b": body, "u": holders[0], "t": title})
    term = conn.execute(sa.text("SELECT id, starts_on FROM congress_term WHERE is_current ORDER BY number DESC")).first()
    if term is not None:
        conn.execute(sa.text(
            "INSERT INTO congress_representative (term_id, user_id, joined_on) "
            "SELECT :t, user_id, :d FROM user_role WHERE role = 'rep' AND user_id NOT IN "
            "(SELECT user_id FROM congress_representative WHERE term_id = :t)"), {"t": term.id, "d": term.starts_on})
    conn.execute(sa.text("DELETE FROM user_role WHERE role IN ('secretary', 'principal', 'rep')"))


def downgrade() -> None:
    with op.batch_alter_table('department') as batch:
        batch.drop_constraint('fk_department_head_id_user', type_='foreignkey')
        batch.drop_column('head_id')
        batch.drop_column('position')
    with op.batch_alter_table('congress_representative') as batch:
        batch.drop_index('ix_congress_representative_user_id')
        batch.drop_column('left_on')
        batch.drop_column('joined_on')
    with op.batch_alter_table('body_member') as batch:
        batch.drop_index('ix_body_member_user_id')
        batch.drop_index('ix_body_member_body_id')
        batch.create_unique_constraint('uq_body_member_body_id_user_id', ['body_id', 'user_id'])
        batch.drop_column('ends_on')
        batch.drop_column('starts_on')
        batch.drop_column('seat')
