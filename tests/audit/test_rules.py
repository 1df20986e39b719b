"""The audit chain: appends link up, and tampering of every kind is detected."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, text

from portal.audit.models import AuditEvent
from portal.audit.rules import record, verify_chain
from portal.extensions import db
from tests.conftest import ON_POSTGRES, make_user


def _chain(session, n=5):
    actor = make_user("actor")
    for i in range(n):
        record(session, actor, "test.event", actor, i=i, note="测试")
    session.commit()


def _without_guard(session, *statements: str, **params):
    """Tamper as a DBA would: switch off the append-only triggers first."""
    if ON_POSTGRES:
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))
    for sql in statements:
        session.execute(text(sql), params)
    if ON_POSTGRES:
        session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    session.commit()


def test_intact_chain_verifies(session):
    _chain(session)
    report = verify_chain(session)
    assert report.ok and report.count == 5

def test_database_refuses_update_and_delete(session):
    _chain(session)
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE audit_event SET summary = '{}' WHERE seq = 2"))
    session.rollback()
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    session.rollback()


def test_modified_row_is_detected(session):
    _chain(session)
    _without_guard(session, "UPDATE audit_event SET summary = :s WHERE seq = 3", s='{"i": 99}')
    report = verify_chain(session)
    assert not report.ok and report.broken_seq == 3 and "修改" in report.reason


def test_deleted_row_is_detected(session):
    _chain(session)
    _without_guard(session, "DELETE FROM audit_event WHERE seq = 2")
    report = verify_chain(session)
    assert not report.ok and report.broken_seq == 3


def test_reordered_rows_are_detected(session):
    _chain(session)
    _without_guard(
        session,
        "UPDATE audit_event SET seq = 1000 WHERE seq = 2",
        "UPDATE audit_event SET seq = 2 WHERE seq = 3",
        "UPDATE audit_event SET seq = 3 WHERE seq = 1000",
    )
    report = verify_chain(session)
    assert not report.ok and report.broken_seq == 2


def test_inserted_row_is_detected(session):
    _chain(session)
    _without_guard(session, "UPDATE audit_event SET seq = seq + 100 WHERE seq >= 3")
    forged = AuditEvent(seq=3, prev_hash="f" * 64, hash="e" * 64, action="forged", actor_name="x", summary="{}")
    from portal.timeutil import utcnow

    forged.at = utcnow()
    session.add(forged)
    session.commit()
    report = verify_chain(session)
    assert not report.ok and report.broken_seq == 3


def _guard_off(session) -> None:
    if ON_POSTGRES:
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))


def _guard_on(session) -> None:
    if ON_POSTGRES:
        session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))


def _rewrite_from(session, seq: int, insert: dict | None = None, keep_rest: bool = True) -> None:
    """Forge as a DBA who knows the hashing: cut the chain at ``seq``, put ``insert`` there,
    append the old rows after it (or not), and recompute every link and hash from there on."""
    from portal.audit.models import AuditEvent as E

    _guard_off(session)
    rest = session.scalars(select(E).where(E.seq >= seq).order_by(E.seq)).all()
    fields = [dict(at=e.at, actor_name=e.actor_name, action=e.action, object_type=e.object_type,
                   object_id=e.object_id, summary=e.summary) for e in rest]
    session.execute(delete(E).where(E.seq >= seq))
    session.flush()
    prev = session.scalar(select(E.hash).where(E.seq == seq - 1))
    for n, row in enumerate(([insert] if insert else []) + (fields if keep_rest else [])):
        forged = E(seq=seq + n, prev_hash=prev, **row)
        forged.hash = prev = forged.compute_hash()
        session.add(forged)
        session.flush()
    _guard_on(session)
    session.commit()


def test_inserted_row_with_a_valid_hash_breaks_the_next_row(session):
    """A forged row hashed correctly and linked to its predecessor: the row after it, pushed
    down one place and re-linked to it, no longer matches its own hash (its number changed)."""
    from portal.audit.models import AuditEvent as E
    from portal.timeutil import utcnow

    _chain(session)
    _guard_off(session)
    prev = session.scalar(select(E.hash).where(E.seq == 2))
    forged = E(seq=3, prev_hash=prev, at=utcnow(), actor_name="x", action="forged", object_type="", object_id="",
               summary="{}")
    forged.hash = forged.compute_hash()
    for e in session.scalars(select(E).where(E.seq >= 3).order_by(E.seq.desc())).all():
        e.seq += 1
        session.flush()
    displaced = session.scalar(select(E).where(E.seq == 4))
    displaced.prev_hash = forged.hash
    session.flush()
    session.add(forged)
    session.flush()
    _guard_on(session)
    session.commit()
    report = verify_chain(session)
    assert not report.ok and report.broken_seq == 4 and "修改" in report.reason


def _public_head(app) -> tuple[int, str]:
    """The chain head as the public portal shows it to anyone: number and hash prefix."""
    import re

    html = app.test_client().get("/").get_data(as_text=True)
    found = re.search(r'class="chain-head">[^#]*#(\d+) · <code>([0-9a-f]{16})</code>', html)
    assert found, "the public page shows no chain head"
    return int(found.group(1)), found.group(2)


def _matches_noted_head(session, noted: tuple[int, str]) -> bool:
    """What a reader who noted the head earlier checks: that event is still in the chain."""
    seq, prefix = noted
    found = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    return found is not None and found.startswith(prefix)


def test_a_rewritten_chain_verifies_but_loses_the_head_noted_earlier(app):
    """A forger who inserts a row and recomputes every hash after it leaves a chain that
    verifies: the chain alone cannot tell. What tells is the head published earlier (the
    public page shows it to anyone, and boards and minutes can keep it): that event is gone."""
    from portal.timeutil import utcnow

    with app.app_context():
        _chain(db.session)
    noted = _public_head(app)  # requests outside the test's app context: each has its own
    with app.app_context():
        assert noted[0] == 5 and _matches_noted_head(db.session, noted)
        _rewrite_from(db.session, 3, insert=dict(at=utcnow(), actor_name="x", action="forged", object_type="",
                                                 object_id="", summary="{}"))
        report = verify_chain(db.session)
        assert report.ok and report.count == 6  # not detected by the chain itself
        assert not _matches_noted_head(db.session, noted)  # detected against the head noted earlier
    shown = _public_head(app)
    assert shown[0] == 6 and shown != noted


def test_a_truncated_chain_verifies_but_shows_a_lower_head(app):
    """Deleting the newest events leaves a valid shorter chain; the public head shows it."""
    with app.app_context():
        _chain(db.session)
    noted = _public_head(app)
    with app.app_context():
        _rewrite_from(db.session, 4, keep_rest=False)
        report = verify_chain(db.session)
        assert report.ok and report.count == 3  # not detected by the chain itself
        assert not _matches_noted_head(db.session, noted)
    assert _public_head(app)[0] == 3 < noted[0]


def test_concurrent_appends_do_not_fork(app):
    with app.app_context():
        make_user("actor")
        db.session.commit()
    errors = []

    def worker(n: int) -> None:
        try:
            with app.app_context():
                for i in range(10):
                    record(db.session, None, "test.concurrent", None, worker=n, i=i)
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        report = verify_chain(db.session)
        assert report.ok and report.count == 80


def test_anonymous_acts_wait_then_join_the_chain_by_day_without_an_actor(app, session):
    from datetime import date, timedelta

    from portal.audit.models import PendingAnonymousEvent
    from portal.audit.rules import record_anonymous
    from portal.timeutil import to_local, utcnow

    actor = make_user("actor")
    record(session, actor, "test.before", actor)
    for i in range(3):
        record_anonymous(session, "test.anonymous", None, i=i)
    session.commit()
    assert session.query(AuditEvent).filter_by(action="test.anonymous").count() == 0
    assert session.query(PendingAnonymousEvent).count() == 3
    tomorrow = to_local(utcnow()).date() + timedelta(days=1)
    result = app.test_cli_runner().invoke(args=["audit", "flush"])  # same day: nothing is due yet
    assert "已将 0 条" in result.output
    from portal.audit.rules import flush_anonymous

    assert flush_anonymous(session, today=tomorrow) == 3
    session.commit()
    joined = session.query(AuditEvent).filter_by(action="test.anonymous").all()
    assert len(joined) == 3 and all(e.actor_id is None and e.actor_name == "匿名" for e in joined)
    assert {to_local(e.at).time().isoformat() for e in joined} == {"00:00:00"}
    assert session.query(PendingAnonymousEvent).count() == 0
    assert verify_chain(session).ok
    assert isinstance(tomorrow, date)
