"""Migration 0015 on a database that already holds records (QUALITY.md 24, 30): what the
races of earlier releases left (numbers given twice, two open polls, two current terms) and
what an earlier release let through (usernames differing in case, a percentage over 100, an
end before its start) is repaired deterministically; what cannot be repaired honestly stops
the upgrade with the rows named and nothing changed.

The records are made through the rules at the newest revision, the database is taken back to
0014, the faults are written into it, and 0015 runs again. On SQLite the rebuilds run with
foreign keys off and checked after, as a migration of a database with data must."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal.cli import alembic_config, migrate
from portal.congress.models import CongressTerm, Poll
from portal.decisions.models import Item, Report, Stance
from portal.decisions.rules import resolutions as res_rules
from portal.disclosure import rules as disclosure_rules
from portal.extensions import db
from tests.conftest import ON_POSTGRES, ROLES, make_user
from tests.congress import factories as cf
from tests.decisions import factories as df
from tests.disclosure import factories as nf


def _at_0014(app: Flask) -> dict:
    """The records made at the newest revision, then the database taken back to 0014."""
    ids: dict = records(app)
    with app.app_context():
        s = db.session
        ids["seqs"] = dict(s.execute(select(Stance.id, Stance.seq).where(Stance.item_id == ids["item"])).all())
        ids["leader"] = cf.user(s, "leader").id
        ids["opened_at"] = s.get(Poll, ids["poll1"]).opened_at
    migrate_in(app, "downgrade", "0014")
    return ids


@pytest.fixture
def own_app(on_snapshot) -> tuple[Flask, dict]:
    """(the app on a copy of the 0014 database with records, the records' ids). Made once for
    the module (records, then the migrations down); each test gets a copy, a database of its
    own (the shared test schema must not go back to 0014 under the other tests)."""
    app, ids = on_snapshot(_at_0014)
    assert revision(app) == "0014"
    return app, ids


def migrate_in(app: Flask, action: str, revision: str, *, foreign_keys_off: bool = True) -> None:
    """Run alembic in one transaction; on SQLite with foreign keys off and checked after."""
    with app.app_context():
        if not db.is_sqlite:
            if action == "upgrade" and revision == "heads":
                migrate()
            else:
                with db.engine.begin() as conn:
                    getattr(command, action)(alembic_config(conn), revision)
            return
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute(f"PRAGMA foreign_keys={'OFF' if foreign_keys_off else 'ON'}")  # outside any transaction
            try:
                with conn.begin():
                    getattr(command, action)(alembic_config(conn), revision)
                    assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            finally:
                raw.execute("PRAGMA foreign_keys=ON")


def revision(app: Flask) -> str:
    with app.app_context():
        return str(db.session.scalar(text("SELECT version_num FROM alembic_version")))


def records(app: Flask) -> dict[str, int]:
    """A school with a congress session and its polls, a decided item with stances, a report,
    a corrected notice and a second term; returns the ids the faults are written into."""
    with app.app_context():
        s = db.session
        for role in ROLES:
            make_user(role, {role})
        union = cf.user(s, "union")
        reps = cf.reps(s, 3)
        cs = cf.open_session(s, union)
        cf.sign_in_all(s, cs, reps)
        first = cf.poll(s, union, cs)
        second = cf.poll(s, union, cs, opened=False)
        third = cf.poll(s, union, cs, opened=False)
        df.school(s)
        res = df.resolution(s)
        report = res_rules.file_report(s, df.user(s, "principal"), res, "过半", 50, df.DAY)
        a, b = df.item(s, title="甲"), df.item(s, title="乙")
        m = df.settled(s, items=[a, b])
        v1 = nf.published(s)
        v2 = disclosure_rules.start_correction(s, df.user(s, "leader"), v1)
        term2 = CongressTerm(number=2, name="第二届", starts_on=date(2100, 1, 1), ends_on=date(2104, 12, 31))
        s.add(term2)
        s.flush()
        ids = {"poll1": first.id, "poll2": second.id, "poll3": third.id, "item": res.item_id, "report": report.id,
               "a": a.id, "b": b.id, "meeting": m.id, "v1": v1.id, "v2": v2.id, "term1": cs.term_id,
               "term2": term2.id, "cs": cs.id}
        s.commit()
        return ids


def write(app: Flask, *statements: tuple[str, dict]) -> None:
    with app.app_context():
        for sql, params in statements:
            db.session.execute(text(sql), params)
        db.session.commit()


def test_what_the_races_and_earlier_releases_left_is_repaired(own_app):
    own_app, ids = own_app
    seqs, leader_id, opened_at = ids["seqs"], ids["leader"], ids["opened_at"]
    first_two = sorted(seqs, key=seqs.__getitem__)[:2]
    later = opened_at + timedelta(minutes=1)
    write(own_app,
          ("UPDATE dec_stance SET seq = 1 WHERE id = :id", {"id": first_two[1]}),  # two stances numbered 1
          ("UPDATE congress_poll SET position = 2 WHERE id = :id", {"id": ids["poll3"]}),
          ("UPDATE congress_poll SET status = 'open', opened_at = :t WHERE id = :id", {"id": ids["poll2"], "t": later}),
          ("UPDATE dec_item SET position = 1 WHERE id = :id", {"id": ids["b"]}),
          ("UPDATE notice SET version = 1 WHERE id = :id", {"id": ids["v2"]}),
          ("UPDATE congress_term SET is_current = :t WHERE id = :id", {"id": ids["term2"], "t": True}),
          ("UPDATE congress_term SET starts_on = :s, ends_on = :e WHERE id = :id",
           {"id": ids["term2"], "s": date(2104, 12, 31), "e": date(2100, 1, 1)}),
          ("UPDATE dec_report SET percent = 150 WHERE id = :id", {"id": ids["report"]}),
          ("UPDATE congress_poll SET seats = 0 WHERE id = :id", {"id": ids["poll3"]}),
          ("UPDATE dec_item SET reconsiders_id = 99999 WHERE id = :id", {"id": ids["a"]}),
          ("UPDATE body_member SET ends_on = :d WHERE id = (SELECT min(id) FROM body_member)", {"d": date(2019, 12, 31)}),
          ("UPDATE congress_representative SET left_on = :d WHERE id = (SELECT min(id) FROM congress_representative)",
           {"d": date(2019, 12, 31)}))
    with own_app.app_context():
        make_user("Leader-2", staff_no="T-taken")  # the suffix the first copy would take is taken
        make_user("Leader", staff_no="T-case1")
        make_user("LEADER", staff_no="T-case2")
        db.session.commit()

    migrate_in(own_app, "upgrade", "0015")

    assert revision(own_app) == "0015"
    with own_app.app_context():
        s = db.session
        after = dict(s.execute(select(Stance.id, Stance.seq).where(Stance.item_id == ids["item"])).all())
        assert after == seqs  # numbered again in the old order: as they were
        # Columns, not the models: the models are the newest schema's (later migrations add columns).
        polls = {p.id: p for p in s.execute(select(Poll.id, Poll.position, Poll.status, Poll.opened_at, Poll.seats)
                                            .where(Poll.session_id == ids["cs"]))}
        assert [polls[ids[k]].position for k in ("poll1", "poll2", "poll3")] == [1, 2, 3]
        assert [polls[ids[k]].status for k in ("poll1", "poll2", "poll3")] == ["open", "draft", "draft"]
        assert polls[ids["poll2"]].opened_at is None and polls[ids["poll3"]].seats == 1
        items = {i.id: i for i in s.execute(select(Item.id, Item.position, Item.reconsiders_id)
                                            .where(Item.id.in_([ids["a"], ids["b"]])))}
        assert [items[ids[k]].position for k in ("a", "b")] == [1, 2]
        assert items[ids["a"]].reconsiders_id is None
        assert [s.scalar(text("SELECT version FROM notice WHERE id = :i"), {"i": ids[k]}) for k in ("v1", "v2")] == [1, 2]
        terms = {t.id: t for t in s.execute(select(CongressTerm.id, CongressTerm.is_current, CongressTerm.starts_on,
                                                    CongressTerm.ends_on))}
        assert (terms[ids["term1"]].is_current, terms[ids["term2"]].is_current) == (False, True)  # the highest number
        assert (terms[ids["term2"]].starts_on, terms[ids["term2"]].ends_on) == (date(2100, 1, 1), date(2104, 12, 31))
        assert s.scalar(select(Report.percent).where(Report.id == ids["report"])) == 100
        assert s.scalar(text("SELECT count(*) FROM body_member WHERE ends_on < starts_on")) == 0
        assert s.scalar(text("SELECT count(*) FROM congress_representative WHERE left_on < joined_on")) == 0
        names = dict(s.execute(text('SELECT staff_no, username FROM "user" WHERE staff_no IN '
                                    "('Tleader', 'T-taken', 'T-case1', 'T-case2')")).all())
        assert names == {"Tleader": "leader", "T-taken": "Leader-2", "T-case1": "Leader-3", "T-case2": "LEADER-4"}
        assert polls[ids["poll1"]].status == "open" and leader_id
    with own_app.app_context():  # and the constraints hold from now on
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE congress_poll SET status = 'open' WHERE id = :id"), {"id": ids["poll2"]})
        db.session.rollback()


@pytest.mark.parametrize("fault,message", [
    ("UPDATE congress_poll SET status = 'paused' WHERE id = :poll3", "congress_poll.status 的值不是本版本已知的状态"),
    ("UPDATE congress_poll SET ballots_cast = 99 WHERE id = :poll1", "表决的票数多于冻结的代表名单"),
    ("UPDATE dec_item SET votes_no = -1 WHERE id = :item", "议题表决票数为负"),
    ("INSERT INTO congress_participation (poll_id, user_id) SELECT CAST(:poll2 AS INTEGER), min(id) FROM \"user\"; "
     "UPDATE congress_poll SET status = 'open', opened_at = :later WHERE id = :poll2", "已有 1 人投票"),
])
def test_what_cannot_be_repaired_honestly_stops_the_upgrade(own_app, fault, message):
    own_app, ids = own_app
    params = {**ids, "later": datetime(2100, 1, 1)}
    write(own_app, *[(sql, {k: v for k, v in params.items() if f":{k}" in sql}) for sql in fault.split("; ")])
    with pytest.raises(RuntimeError, match="以下数据无法自动修复") as refused:
        migrate_in(own_app, "upgrade", "heads")
    assert message in str(refused.value)
    assert revision(own_app) == "0014"


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite rebuilds tables to add constraints; PostgreSQL alters them")
def test_sqlite_rebuild_with_foreign_keys_on_is_refused_before_anything_is_lost(own_app):
    """Dropping a table with foreign keys on would delete (ON DELETE CASCADE) or refuse what
    refers to it: the migration stops first and says why."""
    own_app, _ids = own_app
    with pytest.raises(RuntimeError, match="须在 SQLite 外键检查关闭时执行"):
        migrate_in(own_app, "upgrade", "heads", foreign_keys_off=False)
    assert revision(own_app) == "0014"
