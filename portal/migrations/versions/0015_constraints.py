"""constraints: every number given out as max + 1 is unique, one open poll per session and one
current congress term, CHECKs on states, percentages, counts, seats and dates, a foreign key on
dec_item.reconsiders_id, and usernames unique whatever their case

Revision ID: 0015
Revises: 0014
Create Date: 2027-01-12

Databases from earlier releases may hold what these constraints refuse, mostly left by the
races they close (two writers on PostgreSQL reading the same max and both writing max + 1).
Before each constraint the data is looked at and repaired, deterministically (the same rows
give the same result on every run and on both databases):

- a number given twice (stance order, poll and agenda positions, notice versions): the
  rows of that one group are numbered again 1..n in their old order, ties by id;
- two current congress terms: the one with the highest number stays current;
- two polls of a session open at once: the one opened first stays open; another with no
  ballot yet goes back to draft (it may be opened again; the chain keeps that it was);
- usernames that differ only in case: the oldest account keeps its name, the others get
  ``-2``, ``-3`` … (the admin tells those people; their passwords are unchanged);
- a percentage outside 0–100 is clamped; seats below 1 become 1; an end date before its
  start: a term's two dates are swapped (typed in the wrong boxes), a seat or a roster place
  ends the day it starts;
- ``reconsiders_id`` pointing at no resolution is cleared.

Some things are not repaired, because no repair is honest: a state no release has known, a
negative vote count, more ballots than the frozen roster, a second open poll that already has
ballots (only closing it counts them, and that writes the digest into the audit chain). The
upgrade then stops before changing anything, naming the rows, and the previous release can
still be run to put them right.

On SQLite the CHECKs and the foreign key need the tables rebuilt (batch mode: copy, drop,
rename). Dropping a table with foreign keys on deletes what refers to it first (or refuses),
so with rows that other tables refer to the rebuild needs foreign keys off; see
``_rebuild_safely``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The enums' values as they are in this revision (the models may grow later; this stays).
STATES = {
    ('congress_session', 'status'): ('planned', 'open', 'closed'),
    ('congress_poll', 'status'): ('draft', 'open', 'closed'),
    ('dec_meeting', 'state'): ('planned', 'settled', 'closed', 'signed'),
    ('dec_item', 'state'): ('proposed', 'scheduled', 'passed', 'rejected', 'deferred', 'forwarded'),
    ('dec_resolution', 'state'): ('awaiting_approval', 'open', 'done', 'changed'),
    ('notice', 'status'): ('draft', 'submitted', 'published', 'withdrawn'),
    ('proposal', 'status'): ('draft', 'submitted', 'accepted', 'merged', 'opinion', 'assigned', 'answered', 'closed'),
    ('proposal_cosign', 'status'): ('invited', 'accepted', 'declined'),
    ('consultation', 'status'): ('draft', 'open', 'summarised'),
    ('evaluation', 'status'): ('draft', 'open', 'closed'),
}

# Per table: unique constraints (name, columns) and checks (name, condition). The same as
# the models declare.
UNIQUES = {
    'dec_stance': [('uq_dec_stance_item_id_seq', ['item_id', 'seq'])],
    'congress_poll': [('uq_congress_poll_session_id_position', ['session_id', 'position'])],
    'dec_item': [('uq_dec_item_meeting_id_position', ['meeting_id', 'position'])],
    'notice': [('uq_notice_series_id_version', ['series_id', 'version'])],
}
CHECKS = {
    'congress_term': [('ck_congress_term_ends_after_start', 'ends_on >= starts_on')],
    'congress_representative': [('ck_congress_representative_left_after_joined', 'left_on IS NULL OR left_on >= joined_on')],
    'body_member': [('ck_body_member_ends_after_start', 'ends_on IS NULL OR ends_on >= starts_on')],
    'congress_poll': [
        ('ck_congress_poll_seats', 'seats >= 1'),
        ('ck_congress_poll_counts', 'roster_size >= 0 AND present_at_open >= 0 AND ballots_cast >= 0'),
        ('ck_congress_poll_ballots_within_roster', 'ballots_cast <= roster_size'),
    ],
    'congress_poll_count': [('ck_congress_poll_count_count', 'count >= 0')],
    'dec_item': [('ck_dec_item_votes', 'votes_yes >= 0 AND votes_no >= 0 AND votes_abstain >= 0')],
    'dec_report': [('ck_dec_report_percent', 'percent BETWEEN 0 AND 100')],
    'evaluation': [('ck_evaluation_counts', 'eligible_count >= 0 AND rater_count >= 0')],
    'evaluation_tally': [('ck_evaluation_tally_count', 'count >= 0')],
}
for (_table, _column), _values in STATES.items():
    CHECKS.setdefault(_table, []).append(
        (f'ck_{_table}_{_column}', f"{_column} IN ({', '.join(repr(v) for v in _values)})"))
FOREIGN_KEYS = {
    'dec_item': [('fk_dec_item_reconsiders_id_dec_resolution', 'dec_resolution', ['reconsiders_id'], ['id'])],
}
REBUILT = sorted(set(UNIQUES) | set(CHECKS) | set(FOREIGN_KEYS))

ONE_OPEN_POLL = "status = 'open'"
USERNAME_MAX = 40


def upgrade() -> None:
    conn = op.get_bind()
    _refuse_what_cannot_be_repaired(conn)
    _repair(conn)
    sqlite = conn.dialect.name == 'sqlite'
    if sqlite:
        _rebuild_safely(conn)
    for table in REBUILT:
        with op.batch_alter_table(table) as batch:
            for name, columns in UNIQUES.get(table, []):
                batch.create_unique_constraint(op.f(name), columns)
            for name, condition in CHECKS.get(table, []):
                batch.create_check_constraint(op.f(name), condition)
            for name, referent, local, remote in FOREIGN_KEYS.get(table, []):
                batch.create_foreign_key(op.f(name), referent, local, remote)
    if sqlite:
        _notice_search_triggers()  # dropped with the old notice table
    op.create_index('uq_congress_poll_one_open', 'congress_poll', ['session_id'], unique=True,
                    sqlite_where=sa.text(ONE_OPEN_POLL), postgresql_where=sa.text(ONE_OPEN_POLL))
    op.create_index('uq_congress_term_current', 'congress_term', ['is_current'], unique=True,
                    sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
    op.create_index('uq_user_username_lower', 'user', [sa.text('lower(username)')], unique=True)


def downgrade() -> None:
    op.drop_index('uq_user_username_lower', table_name='user')
    op.drop_index('uq_congress_term_current', table_name='congress_term')
    op.drop_index('uq_congress_poll_one_open', table_name='congress_poll')
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        _rebuild_safely(op.get_bind())
    for table in REBUILT:
        with op.batch_alter_table(table) as batch:
            for name, *_fk in FOREIGN_KEYS.get(table, []):
                batch.drop_constraint(op.f(name), type_='foreignkey')
            for name, _condition in CHECKS.get(table, []):
                batch.drop_constraint(op.f(name), type_='check')
            for name, _columns in UNIQUES.get(table, []):
                batch.drop_constraint(op.f(name), type_='unique')
    if sqlite:
        _notice_search_triggers()


# --- what is refused -----------------------------------------------------------------------

def _refuse_what_cannot_be_repaired(conn: sa.Connection) -> None:
    problems: list[str] = []

    def rows(sql: str, what: str) -> None:
        found = conn.execute(sa.text(sql)).all()
        if found:
            listed = '; '.join(', '.join(str(v) for v in row) for row in found[:20])
            problems.append(f'{what}（{len(found)} 行：{listed}{" …" if len(found) > 20 else ""}）')

    for (table, column), values in STATES.items():
        allowed = ', '.join(f"'{v}'" for v in values)
        rows(f'SELECT id, {column} FROM {table} WHERE {column} NOT IN ({allowed}) ORDER BY id',
             f'{table}.{column} 的值不是本版本已知的状态')
    rows('SELECT id, roster_size, present_at_open, ballots_cast FROM congress_poll '
         'WHERE roster_size < 0 OR present_at_open < 0 OR ballots_cast < 0 ORDER BY id', '表决的人数为负')
    rows('SELECT id, ballots_cast, roster_size FROM congress_poll WHERE ballots_cast > roster_size ORDER BY id',
         '表决的票数多于冻结的代表名单')
    rows('SELECT poll_id, code, count FROM congress_poll_count WHERE count < 0 ORDER BY poll_id, code', '表决计票为负')
    rows('SELECT id, votes_yes, votes_no, votes_abstain FROM dec_item '
         'WHERE votes_yes < 0 OR votes_no < 0 OR votes_abstain < 0 ORDER BY id', '议题表决票数为负')
    rows('SELECT id, eligible_count, rater_count FROM evaluation WHERE eligible_count < 0 OR rater_count < 0 '
         'ORDER BY id', '民主评议人数为负')
    rows('SELECT subject_id, grade, count FROM evaluation_tally WHERE count < 0 ORDER BY subject_id, grade',
         '民主评议计票为负')
    for session_id, extra in _extra_open_polls(conn):
        voted = conn.execute(sa.text('SELECT count(*) FROM congress_participation WHERE poll_id = :p'),
                             {'p': extra}).scalar_one()
        if voted:
            problems.append(f'第 {session_id} 号会议有两项表决同时进行，表决 {extra} 已有 {voted} 人投票：'
                            f'请先用上一版本结束其中一项（结束时计票并写入审计链），再升级')
    if problems:
        raise RuntimeError('迁移 0015 未执行（数据库未作任何修改）：以下数据无法自动修复，请核实后处理：\n- '
                           + '\n- '.join(problems))


def _extra_open_polls(conn: sa.Connection) -> list[tuple[int, int]]:
    """(session, poll) for every open poll but the first opened in its session."""
    open_polls = conn.execute(sa.text(
        "SELECT session_id, id FROM congress_poll WHERE status = 'open' "
        "ORDER BY session_id, CASE WHEN opened_at IS NULL THEN 1 ELSE 0 END, opened_at, id")).all()  # NULLs last on both
    seen: set[int] = set()
    extra = []
    for session_id, poll_id in open_polls:
        if session_id in seen:
            extra.append((session_id, poll_id))
        seen.add(session_id)
    return extra


# --- repairs --------------------------------------------------------------------------------

def _repair(conn: sa.Connection) -> None:
    _renumber(conn, 'dec_stance', 'item_id', 'seq')
    _renumber(conn, 'congress_poll', 'session_id', 'position')
    _renumber(conn, 'dec_item', 'meeting_id', 'position')
    _renumber(conn, 'notice', 'series_id', 'version')

    current = conn.execute(sa.text('SELECT id FROM congress_term WHERE is_current ORDER BY number DESC, id')).scalars().all()
    for term_id in current[1:]:
        conn.execute(sa.text('UPDATE congress_term SET is_current = :f WHERE id = :id'), {'f': False, 'id': term_id})

    for _session_id, poll_id in _extra_open_polls(conn):  # none of them has a ballot (refused above)
        conn.execute(sa.text('DELETE FROM congress_poll_eligible WHERE poll_id = :p'), {'p': poll_id})
        conn.execute(sa.text("UPDATE congress_poll SET status = 'draft', opened_at = NULL, roster_size = NULL, "
                             "present_at_open = NULL WHERE id = :p"), {'p': poll_id})

    _rename_usernames_differing_in_case(conn)

    conn.execute(sa.text('UPDATE dec_report SET percent = 0 WHERE percent < 0'))
    conn.execute(sa.text('UPDATE dec_report SET percent = 100 WHERE percent > 100'))
    conn.execute(sa.text('UPDATE congress_poll SET seats = 1 WHERE seats < 1'))
    swapped = conn.execute(sa.text('SELECT id, starts_on, ends_on FROM congress_term WHERE ends_on < starts_on')).all()
    for term_id, starts_on, ends_on in swapped:
        conn.execute(sa.text('UPDATE congress_term SET starts_on = :s, ends_on = :e WHERE id = :id'),
                     {'s': ends_on, 'e': starts_on, 'id': term_id})
    conn.execute(sa.text('UPDATE congress_representative SET left_on = joined_on WHERE left_on < joined_on'))
    conn.execute(sa.text('UPDATE body_member SET ends_on = starts_on WHERE ends_on < starts_on'))
    conn.execute(sa.text('UPDATE dec_item SET reconsiders_id = NULL WHERE reconsiders_id IS NOT NULL '
                         'AND reconsiders_id NOT IN (SELECT id FROM dec_resolution)'))


def _renumber(conn: sa.Connection, table: str, group: str, number: str) -> None:
    """Number again 1..n, in the old order (ties by id), the rows of each group in which a
    number occurs twice; groups without a duplicate keep their numbers (gaps included)."""
    doubled = conn.execute(sa.text(
        f'SELECT DISTINCT {group} FROM {table} WHERE {group} IS NOT NULL '
        f'GROUP BY {group}, {number} HAVING count(*) > 1')).scalars().all()
    for key in doubled:
        ids = conn.execute(sa.text(f'SELECT id FROM {table} WHERE {group} = :g ORDER BY {number}, id'),
                           {'g': key}).scalars().all()
        for n, row_id in enumerate(ids, start=1):
            conn.execute(sa.text(f'UPDATE {table} SET {number} = :n WHERE id = :id'), {'n': n, 'id': row_id})


def _rename_usernames_differing_in_case(conn: sa.Connection) -> None:
    users = conn.execute(sa.text('SELECT id, username FROM "user" ORDER BY id')).all()
    taken = {name.lower() for _id, name in users}
    by_lower: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for user_id, name in users:
        by_lower[name.lower()].append((user_id, name))
    for _lower, accounts in sorted(by_lower.items()):
        for user_id, name in accounts[1:]:  # the oldest (lowest id) keeps its name
            conn.execute(sa.text('UPDATE "user" SET username = :u WHERE id = :id'),
                         {'u': _free_name(name, taken), 'id': user_id})


def _free_name(name: str, taken: set[str]) -> str:
    for n in _counting_from(2):
        suffix = f'-{n}'
        candidate = name[:USERNAME_MAX - len(suffix)] + suffix
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
    raise AssertionError('unreachable')


def _counting_from(start: int) -> Iterable[int]:
    n = start
    while True:
        yield n
        n += 1


# --- SQLite table rebuilds -----------------------------------------------------------------

def _rebuild_safely(conn: sa.Connection) -> None:
    """Refuse to rebuild a table that other rows refer to while SQLite enforces foreign keys.

    Batch mode drops the old table; with ``PRAGMA foreign_keys=ON`` that first deletes its
    rows, which cascades to the rows that refer to them (``ON DELETE CASCADE``: evaluation
    subjects and ratings, stances, …) or is refused. The pragma cannot be changed inside the
    migration's transaction: the connection must come with foreign keys off (and checked
    after). With nothing referring to those tables (a new database) the rebuild is safe.
    """
    if not conn.exec_driver_sql('PRAGMA foreign_keys').scalar():
        return
    inspector = sa.inspect(conn)
    referring: list[str] = []
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            target = fk['referred_table']
            if target in REBUILT and target != table:
                where = ' OR '.join(f'{c} IS NOT NULL' for c in fk['constrained_columns'])
                if conn.execute(sa.text(f'SELECT 1 FROM "{table}" WHERE {where} LIMIT 1')).first():
                    referring.append(f'{table} → {target}')
    if referring:
        raise RuntimeError(
            '迁移 0015 须在 SQLite 外键检查关闭时执行（重建表时，开启外键会连带删除或拒绝引用它的记录）：'
            + '、'.join(sorted(set(referring))))


def _notice_search_triggers() -> None:
    op.execute("CREATE TRIGGER IF NOT EXISTS notice_fts_ai AFTER INSERT ON notice BEGIN "
               "INSERT INTO notice_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md); END")
    op.execute("CREATE TRIGGER IF NOT EXISTS notice_fts_ad AFTER DELETE ON notice BEGIN "
               "INSERT INTO notice_fts(notice_fts, rowid, title, body_md) VALUES ('delete', old.id, old.title, old.body_md); END")
    op.execute("CREATE TRIGGER IF NOT EXISTS notice_fts_au AFTER UPDATE OF title, body_md ON notice BEGIN "
               "INSERT INTO notice_fts(notice_fts, rowid, title, body_md) VALUES ('delete', old.id, old.title, old.body_md); "
               "INSERT INTO notice_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md); END")
