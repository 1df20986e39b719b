"""Races with real threads (QUALITY.md 31): each thread has its own application context,
session and connection, runs one rule function and commits, and all of them are let go at
once. Every write transaction takes the write lock first (BEGIN IMMEDIATE on SQLite, the
advisory lock on PostgreSQL, see ``portal.db``), so the rules' check-then-act and max + 1
never interleave: ballots are either in the frozen tally and the digest or refused with a
message, numbers are never given twice, one poll is open at a time. Each race runs 20 times on
PostgreSQL and 5 times on SQLite.

The races matter on PostgreSQL (READ COMMITTED: without the lock a rule reads what another
writer is about to change); on SQLite they run too, as a check that BEGIN IMMEDIATE holds:
there the writers take the database's one write lock in turn, and a transaction that began
without it fails at once (SQLITE_BUSY on its first write), so five rounds show it."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal import ballots
from portal.admin import rules as admin_rules
from portal.audit.rules import verify_chain
from portal.auth.models import Department, User
from portal.congress.models import CongressSession, CongressTerm, Participation, Poll
from portal.congress.rules import CongressError
from portal.congress.rules import polls, sessions
from portal.decisions.models import Item, Meeting, Procedure, Stance
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import procedure as procedure_rules
from portal.decisions.rules.items import schedule_item
from portal.disclosure.models import CatalogItem
from portal.extensions import db
from tests.conftest import ON_POSTGRES, make_user
from tests.congress import factories as cf
from tests.decisions import factories as df

ROUNDS = 20 if ON_POSTGRES else 5
VOTERS = 50


def together(app, jobs: list[Callable[[Session], Any]], *, gate: threading.Event | None = None,
             gated: frozenset[int] = frozenset()) -> list[Any]:
    """Run each job in its own thread (own app context, session and connection), released
    at once; each commits what it did or rolls back. Jobs whose index is in ``gated`` wait
    for ``gate`` after the release, with a connection of their own already at hand (the
    others may hold every one of the pool's meanwhile). Returns each job's result or the
    exception it raised."""
    results: list[Any] = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def run(i: int, job: Callable[[Session], Any]) -> None:
        with app.app_context():
            conn = db.engine.connect() if i in gated else None  # checked out, no transaction begun
            s = Session(bind=conn) if conn is not None else db.session
            try:
                barrier.wait(timeout=60)
                if i in gated and gate is not None:
                    gate.wait(timeout=30)
                results[i] = job(s)
                s.commit()
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                s.rollback()
                results[i] = exc
            finally:
                if conn is not None:
                    s.close()
                    conn.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting (a lock never released?)"
    return results


def _errors(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


# --- votes while the union closes the poll -----------------------------------------------

def test_votes_while_the_poll_closes_are_counted_or_refused(app, people):
    """50 representatives vote while the union closes the poll (after about ten ballots):
    each ballot is in the box, the frozen counts and the digest, or was refused with the
    message that the poll has ended; never in the box and missing from the count."""
    with app.app_context():
        s = db.session
        union = cf.user(s, "union")
        reps = cf.reps(s, VOTERS)
        cs = cf.open_session(s, union)
        cf.sign_in_all(s, cs, reps)
        s.commit()
        rep_ids, union_id, cs_id = [u.id for u in reps], union.id, cs.id

    for round_no in range(ROUNDS):
        secret = round_no % 2 == 0
        with app.app_context():
            s = db.session
            poll = cf.poll(s, s.get(User, union_id), s.get(CongressSession, cs_id), secret=secret)
            s.commit()
            poll_id = poll.id
        committed = 0
        lock = threading.Lock()
        enough = threading.Event()

        def vote(uid: int, choice: str) -> Callable[[Session], str]:
            def job(s: Session) -> str:
                nonlocal committed
                outcome = polls.cast_vote(s, s.get(User, uid), s.get(Poll, poll_id), [choice])
                s.commit()
                with lock:
                    committed += 1
                    if committed >= 10:
                        enough.set()
                return outcome
            return job

        def close(s: Session) -> str:
            polls.close_poll(s, s.get(User, union_id), s.get(Poll, poll_id))
            return "closed"

        jobs = [vote(uid, ("yes", "no", "abstain")[i % 3]) for i, uid in enumerate(rep_ids)] + [close]
        results = together(app, jobs, gate=enough, gated=frozenset({len(jobs) - 1}))
        assert results[-1] == "closed", results[-1]
        cast = [r for r in results[:-1] if r == "cast"]
        refused = [r for r in results[:-1] if isinstance(r, CongressError)]
        assert all(str(r) == "表决已经结束，不能再投票。" for r in refused), refused
        assert len(cast) + len(refused) == VOTERS, [r for r in results if r not in cast and r not in refused]

        with app.app_context():
            s = db.session
            poll = s.get(Poll, poll_id)
            box = polls.raw_ballots(s, poll)
            counts = polls.frozen_counts(s, poll)
            voted = s.scalar(select(func.count()).select_from(Participation).where(Participation.poll_id == poll_id))
            assert poll.is_closed
            assert poll.ballots_cast == len(cast) == len(box) == voted == sum(counts.values()), (
                f"round {round_no}: {len(cast)} accepted, {len(box)} in the box, {poll.ballots_cast} counted")
            assert counts == {k: v for k, v in ballots.tally(box, poll.options, 1, 1).counts.items()}
            assert poll.digest == ballots.box_digest(box, polls.box_context(poll))
            assert verify_chain(s).ok
        print(f"round {round_no} ({'secret' if secret else 'named'}): {len(cast)} counted, {len(refused)} refused")


# --- two recorders at once ----------------------------------------------------------------

def test_stances_recorded_at_once_get_distinct_numbers(app, people):
    """A member's stance and five 列席 attendees' remarks recorded at the same moment (by two
    recorders or more): all are kept, numbered 1..6 in the order the lock let them in."""
    guests = [f"g{i}" for i in range(1, 6)]
    with app.app_context():
        s = db.session
        df.school(s)
        guest_ids = [make_user(g, name=f"列席{g}").id for g in guests]
        s.commit()

    for round_no in range(ROUNDS):
        with app.app_context():
            s = db.session
            recorder = df.user(s, "recorder")
            it = df.item(s, title=f"议题 {round_no}")
            m = df.settled(s, items=[it])
            for gid in guest_ids:
                meeting_rules.set_attendance(s, recorder, df.ms(s), m, s.get(User, gid), "nonvoting")
            first = meeting_rules.speaking_order(m, df.ms(s))[0]
            s.commit()
            item_id, meeting_id, recorder_id = it.id, m.id, recorder.id

        def state(speaker_id: int, stance: str, reason: str = "") -> Callable[[Session], int]:
            def job(s: Session) -> int:
                m = s.get(Meeting, meeting_id)
                row = meeting_rules.record_stance(s, s.get(User, recorder_id), df.ms(s), m, s.get(Item, item_id),
                                                  s.get(User, speaker_id), stance, reason)
                return row.seq
            return job

        jobs = [state(first, "agree", "同意，方案可行")] + [state(gid, "remark", f"意见 {gid}") for gid in guest_ids]
        results = together(app, jobs)
        assert _errors(results) == [], _errors(results)
        with app.app_context():
            seqs = sorted(db.session.scalars(select(Stance.seq).where(Stance.item_id == item_id)))
        assert seqs == list(range(1, len(jobs) + 1)), f"round {round_no}: {seqs}"


# --- two polls opened at once ---------------------------------------------------------------

def test_two_polls_opened_at_once_one_opens_the_other_is_refused(app, people):
    """The union opens two polls of a session at the same moment: one opens; the other is
    refused by the rule, whose message names the poll that is open (the partial unique index
    is the database's backstop, not what the union sees)."""
    with app.app_context():
        s = db.session
        union = cf.user(s, "union")
        cf.reps(s, 3)
        cs = cf.open_session(s, union)
        cf.fill_quorum(s, union, cs)
        s.commit()
        union_id, cs_id = union.id, cs.id

    for round_no in range(ROUNDS):
        with app.app_context():
            s = db.session
            union, cs = s.get(User, union_id), s.get(CongressSession, cs_id)
            pair = [polls.create_poll(s, union, cs, polls.PollSpec(title=f"表决 {round_no}{x}")) for x in "AB"]
            s.commit()
            ids = [p.id for p in pair]

        def open_(poll_id: int) -> Callable[[Session], str]:
            def job(s: Session) -> str:
                polls.open_poll(s, s.get(User, union_id), s.get(Poll, poll_id))
                return "opened"
            return job

        results = together(app, [open_(i) for i in ids])
        opened = [pid for pid, r in zip(ids, results) if r == "opened"]
        refused = [r for r in results if isinstance(r, CongressError)]
        assert len(opened) == 1 and len(refused) == 1, f"round {round_no}: {results}"
        with app.app_context():
            s = db.session
            open_now = list(s.scalars(select(Poll).where(Poll.session_id == cs_id, Poll.status == "open")))
            assert [p.id for p in open_now] == opened
            assert str(refused[0]) == f"请先结束正在进行的表决“{open_now[0].title}”。"
            polls.close_poll(s, s.get(User, union_id), open_now[0])
            s.commit()


# --- numbers given out as max + 1 -------------------------------------------------------------

def _distinct_and_complete(numbers: list[int], start: int, count: int) -> bool:
    return sorted(numbers) == list(range(start, start + count))


def test_max_plus_one_numbers_are_never_given_twice(app, people):
    """Several people at once add polls to one session, plan sessions of one term, put items
    on one agenda, adopt rules of procedure, add departments and catalogue items: every one is
    kept and every number is new (the last two have no unique constraint: the lock alone)."""
    from portal.disclosure.rules import add_catalog_item

    with app.app_context():
        s = db.session
        union = cf.user(s, "union")
        cf.reps(s, 2)
        cs = cf.open_session(s, union)
        df.school(s)
        s.commit()
        cs_id, term_id = cs.id, cs.term_id
        ids = {name: cf.user(s, name).id for name in ("union", "secretary", "admin")}

    def user(s: Session, name: str) -> User:
        found = s.get(User, ids[name])
        assert found is not None
        return found

    for round_no in range(ROUNDS):
        with app.app_context():
            s = db.session
            m = df.meeting(s)
            items = [df.item(s, title=f"议题 {round_no}-{k}") for k in range(6)]
            s.commit()
            meeting_id, item_ids = m.id, [it.id for it in items]
            before = {
                "poll": s.scalar(select(func.count()).select_from(Poll).where(Poll.session_id == cs_id)) or 0,
                "session": s.scalar(select(func.count()).select_from(CongressSession)
                                    .where(CongressSession.term_id == term_id)) or 0,
                "version": s.scalar(select(func.max(Procedure.version)).where(Procedure.body == "party")) or 0,
                "department": s.scalar(select(func.max(Department.position))),
                "catalog": s.scalar(select(func.max(CatalogItem.position))) or 0,
            }

        jobs: list[Callable[[Session], Any]] = []
        for k in range(6):
            jobs.append(lambda s, k=k: ("poll", polls.create_poll(
                s, user(s, "union"), s.get(CongressSession, cs_id), polls.PollSpec(title=f"表决 {round_no}-{k}")).position))
            jobs.append(lambda s, k=k: ("session", sessions.create_session(
                s, user(s, "union"), s.get(CongressTerm, term_id), date(2026, 4, 1) + timedelta(days=k), "礼堂").number))
            jobs.append(lambda s, k=k: ("item", _schedule(s, user(s, "secretary"), item_ids[k], meeting_id)))
            jobs.append(lambda s, k=k: ("department", admin_rules.create_department(
                s, user(s, "admin"), f"部门 {round_no}-{k}", "office").position))
            jobs.append(lambda s, k=k: ("catalog", add_catalog_item(
                s, user(s, "admin"), channel="school", name=f"目录 {round_no}-{k}").position))
        for k in range(3):
            jobs.append(lambda s: ("version", procedure_rules.adopt_procedure(
                s, user(s, "secretary"), "party", adopted_on=date(2020, 1, 1)).version))
        results = together(app, jobs)
        assert _errors(results) == [], _errors(results)
        got: dict[str, list[int]] = {}
        for kind, number in results:
            got.setdefault(kind, []).append(number)
        department_start = 0 if before["department"] is None else before["department"] + 1
        assert _distinct_and_complete(got["poll"], before["poll"] + 1, 6), (round_no, got["poll"])
        assert _distinct_and_complete(got["session"], before["session"] + 1, 6), (round_no, got["session"])
        assert _distinct_and_complete(got["item"], 1, 6), (round_no, got["item"])
        assert _distinct_and_complete(got["version"], before["version"] + 1, 3), (round_no, got["version"])
        assert _distinct_and_complete(got["department"], department_start, 6), (round_no, got["department"])
        assert _distinct_and_complete(got["catalog"], before["catalog"] + 1, 6), (round_no, got["catalog"])


def _schedule(s: Session, actor: User, item_id: int, meeting_id: int) -> int:
    it, m = s.get(Item, item_id), s.get(Meeting, meeting_id)
    assert it is not None and m is not None
    schedule_item(s, actor, df.ms(s), it, m)
    return it.position


# --- who takes the lock ------------------------------------------------------------------------

def test_reads_do_not_wait_for_a_writer_and_writes_do(app, people, client):
    """While one transaction holds the write lock, a GET page is served at once and another
    write waits until the first commits."""
    from tests.conftest import login_as

    login_as(client, app, "staff")
    released = threading.Event()
    holding = threading.Event()

    def writer() -> None:
        with app.app_context():
            db.session.execute(select(User.id).limit(1))  # begins: takes the write lock
            holding.set()
            released.wait(timeout=60)
            db.session.commit()

    first = threading.Thread(target=writer)
    first.start()
    assert holding.wait(timeout=30)
    try:
        started = time.monotonic()
        page = client.get("/")
        assert page.status_code == 200 and time.monotonic() - started < 10

        done = threading.Event()

        def second_writer() -> None:
            with app.app_context():
                db.session.execute(select(User.id).limit(1))  # begins: waits for the write lock
                db.session.commit()
                done.set()

        second = threading.Thread(target=second_writer)
        second.start()
        assert not done.wait(timeout=1.5), "a write went ahead while another held the write lock"
    finally:
        released.set()
        first.join(timeout=30)
    assert done.wait(timeout=30)
    second.join(timeout=30)


@pytest.mark.skipif(not ON_POSTGRES, reason="the advisory lock exists on PostgreSQL only")
def test_the_lock_is_the_audit_chains_lock(app):
    """One key: a write transaction holds the lock the audit chain takes (so the chain's own
    call is a re-entrant no-op) from its first statement."""
    from portal.db import PG_WRITE_LOCK, write_intent

    write_intent.set(True)  # a unit of work that may write (a GET by an earlier test may have left it False)
    with app.app_context():
        db.session.execute(select(User.id).limit(1))
        held = db.session.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND granted "
            "AND pid = pg_backend_pid()"), {"k": PG_WRITE_LOCK})
        db.session.rollback()
    assert held == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="the advisory lock exists on PostgreSQL only")
def test_the_lock_taken_within_a_read_holds_and_is_taken_again_after_a_savepoint_undid_it(app):
    """``take_write_lock`` (begin_write on PostgreSQL, the audit append) within a transaction
    begun without write intent: held once taken, asked once only; a lock first taken inside
    a savepoint that was rolled back went with it, and the next take takes it again."""
    from portal.db import take_write_lock, write_intent
    from tests.conftest import writer_can_start

    token = write_intent.set(False)
    try:
        with app.app_context():
            db.session.execute(select(User.id).limit(1))  # a read transaction, no lock
            assert writer_can_start(app)
            try:
                with db.session.begin_nested():
                    take_write_lock(db.session)
                    assert not writer_can_start(app)
                    raise LookupError
            except LookupError:
                pass
            assert writer_can_start(app)  # the savepoint's rollback let it go
            take_write_lock(db.session)
            assert not writer_can_start(app)
            db.session.rollback()
            assert writer_can_start(app)
    finally:
        write_intent.reset(token)
