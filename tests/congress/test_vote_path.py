"""Issue 23: what a vote does while it holds the write lock, on both databases. The request
reads the account, the poll and the form before it takes the lock; under the lock the rule
reads the voter's standing in one statement, writes the voter's row, the ballot and the
audit event, and commits; the answer (the ballot block saying the vote was taken) reads
nothing more. A vote that is refused under the lock (the poll closed meanwhile, a second
ballot) still answers with the reason."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from portal.audit.models import AuditEvent
from portal.congress.models import Participation, SecretBallot
from portal.db import write_intent
from portal.extensions import db
from tests.congress import factories as f
from tests.conftest import ON_POSTGRES, login_as


@pytest.fixture
def hall(app, people):
    """An open session with rep and r1..r3 signed in, and an open secret motion."""
    with app.app_context():
        union = f.user(db.session, "union")
        extra = f.reps(db.session, 3)
        cs = f.open_session(db.session, union)
        f.sign_in_all(db.session, cs, [f.user(db.session, "rep"), *extra])
        secret = f.poll(db.session, union, cs, secret=True)
        db.session.commit()
        return {"cs": cs.id, "secret": secret.id}


class Statements:
    """Counts the statements of the next request, and which of them ran in a write transaction."""

    def __init__(self, app) -> None:
        with app.app_context():
            self.engine = db.engine
        self.in_write: list[str] = []
        self.after_commit: list[str] = []
        self.writing = False
        self.committed = False
        self.checkouts = 0
        self.seen: list[str] = []

    def _begin(self, conn: Any) -> None:
        self.writing = write_intent.get()

    def _commit(self, conn: Any) -> None:
        if self.writing:
            self.committed = True
        self.writing = False

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "pg_advisory_xact_lock" in statement:  # PostgreSQL: the lock taken within the read (begin_write)
            self.writing = True
            return
        self.seen.append(statement)
        if self.writing:
            self.in_write.append(statement)
        elif self.committed:
            self.after_commit.append(statement)

    def _checkout(self, *args: Any) -> None:
        self.checkouts += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "checkout", self._checkout)
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "before_cursor_execute", self._statement)


def test_a_vote_holds_the_write_lock_for_the_rule_alone(app, client, hall):
    login_as(client, app, "rep")
    url = f"/congress/polls/{hall['secret']}/vote"
    with Statements(app) as seen:
        resp = client.hx(url, "POST", data={"choice": "yes"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "投票成功" in text and "您已投票。无记名投票一经投出不能更改。" in text
    assert 'id="ballot"' in text and "<html" not in text and 'name="choice"' not in text
    # Under the lock: the standing (one statement), the voter's row, the ballot, the audit
    # chain's head with the look for waiting anonymous acts (one statement), the audit event;
    # on PostgreSQL the lock is taken once, within the read transaction.
    writes = [s.split()[0].upper() for s in seen.in_write]
    assert writes.count("INSERT") == 3, seen.in_write
    assert len(seen.in_write) == 5, seen.in_write
    # PostgreSQL: one connection (one pre-ping) for the whole vote, the read and the write.
    assert seen.checkouts == (1 if ON_POSTGRES else 2), seen.checkouts
    assert seen.after_commit == [], seen.after_commit  # the answer reads nothing again
    # A second ballot is refused on the ballot block, from what the request knows: no count,
    # no form, nothing written.
    with Statements(app) as again:
        second = client.hx(url, "POST", data={"choice": "no"})
    text = second.get_data(as_text=True)
    assert second.status_code == 422 and 'id="ballot"' in text and 'name="choice"' not in text
    assert "您已投票。无记名投票一经投出不能更改。" in text and "投票成功" not in text
    assert not any("count(" in s.lower() for s in again.in_write + again.seen), again.seen
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SecretBallot)
                                 .where(SecretBallot.poll_id == hall["secret"])) == 1
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.poll_id == hall["secret"])) == 1
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert last.action == "congress.voted" and "yes" not in last.summary


def test_what_changed_before_the_lock_is_read_again_under_it(app, client, hall, monkeypatch):
    """The rule decides on what it reads under the lock, not on what the request loaded
    before: a representative signed out, or the poll closed, between loading the poll and
    the vote's write is refused with the reason, and nothing is written."""
    from portal.congress.models import Attendance, Poll
    from portal.congress.views import polls as views

    login_as(client, app, "rep")
    url = f"/congress/polls/{hall['secret']}/vote"
    with app.app_context():
        rep_id = f.user(db.session, "rep").id
    real_begin_write = views.begin_write
    meanwhile: list[Any] = []

    def begin_write_after_another(**kwargs: Any) -> None:
        for change in meanwhile:  # another writer commits just before this one takes the lock
            with db.engine.connect() as other:
                other.execute(change)
                other.commit()
        real_begin_write(**kwargs)

    monkeypatch.setattr(views, "begin_write", begin_write_after_another)
    meanwhile[:] = [Attendance.__table__.update().where(Attendance.session_id == hall["cs"],
                                                         Attendance.user_id == rep_id).values(present=False)]
    resp = client.hx(url, "POST", data={"choice": "yes"})
    assert resp.status_code == 422 and "请先签到" in resp.get_data(as_text=True)
    meanwhile[:] = [Attendance.__table__.update().where(Attendance.session_id == hall["cs"],
                                                         Attendance.user_id == rep_id).values(present=True),
                    Poll.__table__.update().where(Poll.id == hall["secret"]).values(status="closed")]
    resp = client.hx(url, "POST", data={"choice": "yes"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "表决已经结束，不能再投票。" in text and resp.headers["HX-Retarget"] == "#main"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.poll_id == hall["secret"])) == 0
        assert db.session.scalar(select(func.count()).select_from(SecretBallot)
                                 .where(SecretBallot.poll_id == hall["secret"])) == 0


def test_the_ballot_is_read_without_a_form_object_and_checked_all_the_same(app, client, hall):
    """The vote reads its one field itself: a motion ballot with no choice is refused with the
    form's words, an election ballot with a candidate of another poll or too many is refused
    by the rule, a valid one counts (candidates read before the lock), and a vote without
    the CSRF token is refused by CSRFProtect. Nothing is written by a refusal."""
    from portal.congress.models import CongressSession, Poll

    login_as(client, app, "rep")
    empty = client.hx(f"/congress/polls/{hall['secret']}/vote", "POST", data={})
    assert empty.status_code == 422 and "请选择赞成、反对或弃权。" in empty.get_data(as_text=True)
    with app.app_context():
        union = f.user(db.session, "union")
        db.session.execute(Poll.__table__.update().where(Poll.id == hall["secret"]).values(status="closed"))
        cs = db.session.get(CongressSession, hall["cs"])
        election = f.poll(db.session, union, cs, kind="election", seats=1, candidates=("甲", "乙"), quorum=False)
        codes = election.options
        db.session.commit()
        election_id = election.id
    url = f"/congress/polls/{election_id}/vote"
    assert client.hx(url, "POST", data={"choice": "c999"}).status_code == 422
    too_many = client.hx(url, "POST", data={"choice": list(codes)})
    assert too_many.status_code == 422 and "最多可选 1 项" in too_many.get_data(as_text=True)
    assert client.hx(url, "POST", data={"choice": codes[0]}, csrf=False).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.poll_id == election_id)) == 0
    with Statements(app) as seen:
        taken = client.hx(url, "POST", data={"choice": codes[1]})
    assert taken.status_code == 200 and "投票成功" in taken.get_data(as_text=True)
    assert not any("congress_candidate" in s for s in seen.in_write), seen.in_write  # read before the lock


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's writer queue")
def test_a_vote_that_waits_too_long_for_the_lock_is_told_so_on_the_ballot(app, client, hall, monkeypatch):
    """The writer lock stays taken (another writer stuck): the vote is refused after the
    bounded wait, on the ballot where the voter pressed, and nothing is written."""
    import fcntl
    import os

    from portal import db as portal_db

    monkeypatch.setattr(portal_db, "WRITER_WAIT_S", 0.2)
    login_as(client, app, "rep")
    with app.app_context():
        lock_file = f"{db.engine.url.database}-writer"
    holder = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        resp = client.hx(f"/congress/polls/{hall['secret']}/vote", "POST", data={"choice": "yes"})
    finally:
        os.close(holder)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "系统正忙，您的操作没有保存，请稍后再试。" in text and 'id="ballot"' in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participation)
                                 .where(Participation.poll_id == hall["secret"])) == 0
    again = client.hx(f"/congress/polls/{hall['secret']}/vote", "POST", data={"choice": "yes"})
    assert again.status_code == 200 and "投票成功" in again.get_data(as_text=True)
