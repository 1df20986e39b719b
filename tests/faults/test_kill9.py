"""QUALITY.md 22: ``kill -9`` of the server during 1,000 vote commits.

1,000 signed-in representatives vote in a named poll through gunicorn (3 sync workers) from
16 client threads; once 300 votes are acknowledged, SIGKILL goes to the whole process group
(master and workers) while requests are still in flight. Then, on the database as the
killed server left it: every vote the server acknowledged is there with the choice sent
(lost = 0); no half rows (each participation has its named vote and its one audit event,
and nothing else is there); on SQLite ``PRAGMA integrity_check`` is ok and no foreign key
dangles; the audit chain verifies (what ``flask audit verify`` runs). Last, a server
restarted on the same database lets a representative log in through the form, see the
session page and vote.

Runs on the suite's database: a SQLite file of this test, or PostgreSQL (where killing the
app server drops its connections mid-transaction and the server must roll them back).
"""
from __future__ import annotations

import os
import threading
import time

from tests.conftest import ON_POSTGRES, PASSWORD
from tests.faults.live import (
    PLACE, Gunicorn, acknowledged, read_box, seed_hall, sign_in_and_get, sqlite_checks, verify_chain_at, vote,
    wait_backends_gone,
)

VOTERS = 1000
KILL_AFTER = 300  # acknowledged votes before the kill
THREADS = 16
CHOICES = ("yes", "no", "abstain")


def test_kill9_during_vote_commits(app, tmp_path):
    url, key = app.config["DATABASE_URL"], app.config["SECRET_KEY"]
    started = time.perf_counter()
    hall = seed_hall(app, VOTERS, secret=False)
    seeded = time.perf_counter()
    choice = {v.user_id: CHOICES[i % 3] for i, v in enumerate(hall.voters)}

    pending = iter(hall.voters)
    lock = threading.Lock()
    acked: set[int] = set()
    sent: set[int] = set()
    unanswered: set[int] = set()  # no response at all: in flight at the kill
    refused: list[tuple[int, str]] = []  # answered, but not "投票成功" (must not happen)
    enough, killed = threading.Event(), threading.Event()

    with Gunicorn(url, key, tmp_path / "gunicorn.log") as server:
        def client() -> None:
            while not killed.is_set():
                with lock:
                    voter = next(pending, None)
                    if voter is None:
                        return
                    sent.add(voter.user_id)
                status, text = vote(server.port, hall.poll_id, voter, choice[voter.user_id])
                with lock:
                    if acknowledged(status, text):
                        acked.add(voter.user_id)
                        if len(acked) >= KILL_AFTER:
                            enough.set()
                    elif status == 0:
                        unanswered.add(voter.user_id)
                    else:
                        refused.append((status, text[:200]))

        threads = [threading.Thread(target=client) for _ in range(THREADS)]
        burst_start = time.perf_counter()
        for t in threads:
            t.start()
        try:
            assert enough.wait(120), f"only {len(acked)} votes acknowledged in 120 s"
        finally:
            killed.set()  # no new requests; those in flight stay in flight
            kill_at = time.perf_counter()
            server.kill9()
            for t in threads:
                t.join()
        log = server.log_text()

    with lock:
        acked_at_kill, sent_at_kill = set(acked), set(sent)
    if ON_POSTGRES:
        # Read once the dead server's connections are gone: nothing can commit after that.
        wal = f", its connections gone after {wait_backends_gone(url):.2f} s"
        integrity, orphans = "n/a", 0  # PostgreSQL enforces its foreign keys itself
    else:
        path = url.removeprefix("sqlite:///")
        wal = f", WAL left by the kill {os.path.getsize(path + '-wal') // 1024} KB"  # replayed by the next open
        integrity, orphans = sqlite_checks(path)
    box = read_box(url, hall.poll_id)
    chain = verify_chain_at(url, key)

    lost = acked_at_kill - box.voted
    committed_unacknowledged = box.voted - acked_at_kill
    print(f"\nkill -9 ({'PostgreSQL' if ON_POSTGRES else 'SQLite'}): {VOTERS} voters, {len(sent_at_kill)} sent, "
          f"{len(acked_at_kill)} acknowledged, {len(box.voted)} found, lost {len(lost)}, "
          f"{len(unanswered)} in flight at the kill (of them committed: {len(committed_unacknowledged)}), "
          f"integrity {integrity}, dangling keys {orphans}, audit chain {chain}{wal}; "
          f"seed {seeded - started:.1f} s, kill after {kill_at - burst_start:.1f} s of voting")

    assert not refused, refused[:5]
    assert "Traceback" not in log, log[-3000:]
    assert unanswered and len(acked_at_kill) < VOTERS, "no request was in flight when the server was killed"
    assert lost == set(), f"acknowledged votes missing after kill -9: {sorted(lost)[:20]}"
    assert integrity == "ok" or ON_POSTGRES
    assert orphans == 0
    # Nothing but whole votes, and only from voters whose request reached the server.
    assert box.voted <= sent_at_kill
    assert committed_unacknowledged <= unanswered
    assert set(box.named) == box.voted, "a participation without its named vote, or the reverse"
    assert all(box.named[u] == choice[u] for u in box.voted), "a stored choice differs from the one sent"
    assert box.voted_events == {u: 1 for u in box.voted}, "audit events do not match the votes one to one"
    assert box.secret_ballots == 0
    assert chain.startswith("ok"), chain

    # The server comes back on the same database: a representative logs in through the form,
    # sees the session page, and one who had not voted votes.
    late = next(v for v in reversed(hall.voters) if v.user_id not in box.voted)
    with Gunicorn(url, key, tmp_path / "gunicorn-restart.log", workers=1) as again:
        status, landed, page = sign_in_and_get(again.port, late.username, PASSWORD,
                                               f"/congress/sessions/{hall.session_id}")
        assert status == 200 and PLACE in page, (landed, page[-2000:])
        status, text = vote(again.port, hall.poll_id, late, "yes")
        assert acknowledged(status, text), (status, text[-2000:])
        assert "Traceback" not in again.log_text()
    after = read_box(url, hall.poll_id)
    assert after.voted == box.voted | {late.user_id}
    print(f"restarted: login and session page ok, one more vote counted; total {time.perf_counter() - started:.1f} s")
