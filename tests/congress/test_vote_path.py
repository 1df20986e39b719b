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
from tests.conftest import login_as


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

    def _begin(self, conn: Any) -> None:
        self.writing = write_intent.get()

    def _commit(self, conn: Any) -> None:
        if self.writing:
            self.committed = True
        self.writing = False

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.writing:
            self.in_write.append(statement)
        elif self.committed:
            self.after_commit.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc: object) -> None:
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
    # chain's head, the look for waiting anonymous acts, the audit event (and on PostgreSQL
    # the advisory lock again in the audit append).
    writes = [s.split()[0].upper() for s in seen.in_write]
    assert writes.count("INSERT") == 3, seen.in_write
    assert len(seen.in_write) <= 7, seen.in_write
    assert seen.after_commit == [], seen.after_commit  # the answer reads nothing again
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
