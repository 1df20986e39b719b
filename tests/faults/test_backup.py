"""QUALITY.md 23: an online backup while writers hammer the app, then serving from the copy.

Representatives vote in a secret poll through gunicorn (3 sync workers) from 8 client
threads. Once 100 votes are acknowledged, ``flask --app portal backup PATH`` (SQLite's
online backup API) runs as its own process while the votes keep coming. The copy must be
one point in time of the live database: ``PRAGMA integrity_check`` ok, no dangling foreign
key, the audit chain intact and a prefix of the live chain, every vote acknowledged before
the backup began present, and ballots, who-voted rows and audit events equal in number (no
vote without its event, no event without its vote). Then gunicorn serves the copy: a
representative logs in through the form, sees the session page and votes.

The file carries 24 MB of ballast, the size of a school's database after some years: the
seeded hall alone is under 2 MB, which the backup copies in one or two steps, and commits
that land between the steps of a longer copy are what this is about. A second test holds
the backup to finishing under steady commits (copied in steps of 256 pages, it restarted
from page 1 at every commit between two steps and never finished while writes went on).

SQLite only: on PostgreSQL ``flask backup`` refuses and names pg_dump, which is PostgreSQL's
own consistent snapshot; the test checks that refusal instead.
"""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ON_POSTGRES, PASSWORD
from tests.faults.live import (
    PLACE, Gunicorn, acknowledged, flask_command, read_box, seed_hall, sign_in_and_get, sqlite_checks, verify_chain_at,
    vote,
)

VOTERS = 400
BACKUP_AFTER = 100  # acknowledged votes before the backup starts
THREADS = 8
BALLAST_MB = 24


def add_ballast(path: str, megabytes: int) -> None:
    """Random blobs in a table of the test's own, so the file has a real database's size."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE fault_ballast (b BLOB)")
        conn.executemany("INSERT INTO fault_ballast VALUES (randomblob(?))", [(1 << 20,)] * megabytes)
        conn.commit()
    finally:
        conn.close()


def ballast_writer(path: str, stop: threading.Event, commits: list[int]) -> None:
    """A small commit every 5 ms into the ballast table, with the app's pragmas, until stopped
    (what a busy hall's votes look like to the file)."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO fault_ballast VALUES (randomblob(100))")
            conn.execute("COMMIT")
            commits[0] += 1
            time.sleep(0.005)
    finally:
        conn.close()


def chain_head(database_url: str) -> tuple[int, str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")).one()
    finally:
        engine.dispose()
    return row.seq, row.hash


def hash_at(database_url: str, seq: int) -> str | None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT hash FROM audit_event WHERE seq = :s"), {"s": seq})
    finally:
        engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL refusal; SQLite runs the backup itself")
def test_backup_on_postgresql_names_pg_dump(app, tmp_path):
    done = flask_command(app.config["DATABASE_URL"], app.config["SECRET_KEY"], "backup", str(tmp_path / "x"))
    assert done.returncode != 0 and "pg_dump" in done.stderr + done.stdout


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's online backup API; PostgreSQL is backed up with pg_dump")
def test_online_backup_under_write_load_then_serve_the_copy(app, tmp_path):
    url, key = app.config["DATABASE_URL"], app.config["SECRET_KEY"]
    copy = tmp_path / "backup" / "portal-backup.sqlite3"
    copy_url = f"sqlite:///{copy}"
    started = time.perf_counter()
    hall = seed_hall(app, VOTERS, secret=True)
    path = url.removeprefix("sqlite:///")
    add_ballast(path, BALLAST_MB)
    seeded = time.perf_counter()

    pending = iter(hall.voters)
    lock = threading.Lock()
    acked: set[int] = set()
    sent: set[int] = set()
    failed: list[tuple[int, str]] = []
    enough, stop = threading.Event(), threading.Event()

    with Gunicorn(url, key, tmp_path / "gunicorn.log") as server:
        def writer() -> None:
            while not stop.is_set():
                with lock:
                    voter = next(pending, None)
                    if voter is None:
                        return
                    sent.add(voter.user_id)
                status, body = vote(server.port, hall.poll_id, voter, "yes" if voter.user_id % 3 else "no")
                with lock:
                    if acknowledged(status, body):
                        acked.add(voter.user_id)
                        if len(acked) >= BACKUP_AFTER:
                            enough.set()
                    else:
                        failed.append((status, body[:200]))

        threads = [threading.Thread(target=writer) for _ in range(THREADS)]
        for t in threads:
            t.start()
        try:
            assert enough.wait(120), f"only {len(acked)} votes acknowledged in 120 s"
            with lock:
                acked_before = set(acked)
            t0 = time.perf_counter()
            backup = flask_command(url, key, "backup", str(copy))
            backup_s = time.perf_counter() - t0
            with lock:
                acked_during = len(acked) - len(acked_before)
                still_writing = len(sent) < VOTERS
        finally:
            stop.set()
            for t in threads:
                t.join()
        log = server.log_text()

    assert backup.returncode == 0, backup.stdout + backup.stderr
    assert not failed, failed[:5]
    assert "Traceback" not in log, log[-3000:]
    integrity, orphans = sqlite_checks(str(copy))
    chain = verify_chain_at(copy_url, key)
    box, live = read_box(copy_url, hall.poll_id), read_box(url, hall.poll_id)
    head_seq, head_hash = chain_head(copy_url)
    size_mb = copy.stat().st_size / 2**20
    print(f"\nonline backup: {len(acked_before)} votes acknowledged before it, {acked_during} more while "
          f"`flask backup` ran ({backup_s:.1f} s, {size_mb:.0f} MB; writers {'still' if still_writing else 'no longer'} "
          f"writing when it ended), {len(box.voted)} in the copy, {len(live.voted)} in the live database at the end; "
          f"integrity {integrity}, dangling keys {orphans}, copy's audit chain {chain}; seed {seeded - started:.1f} s")

    assert acked_during > 0, "nobody wrote while the backup ran"
    assert integrity == "ok" and orphans == 0
    assert chain.startswith("ok"), chain
    assert hash_at(url, head_seq) == head_hash, "the copy's chain is not a prefix of the live chain"
    # One point in time: everything committed before the backup began, nothing half.
    assert acked_before <= box.voted <= live.voted
    assert box.secret_ballots == len(box.voted) == sum(box.voted_events.values())
    assert live.voted == acked and live.secret_ballots == len(acked)

    # Serve from the copy: log in, see the session page, vote.
    newcomer = next(v for v in hall.voters if v.user_id not in box.voted)
    with Gunicorn(copy_url, key, tmp_path / "gunicorn-copy.log", workers=1) as restored:
        status, landed, page = sign_in_and_get(restored.port, newcomer.username, PASSWORD,
                                               f"/congress/sessions/{hall.session_id}")
        assert status == 200 and PLACE in page, (landed, page[-2000:])
        status, body = vote(restored.port, hall.poll_id, newcomer, "abstain")
        assert acknowledged(status, body), (status, body[-2000:])
        assert "Traceback" not in restored.log_text()
    assert read_box(copy_url, hall.poll_id).voted == box.voted | {newcomer.user_id}
    print(f"served from the copy: login, session page and a vote ok; total {time.perf_counter() - started:.1f} s")


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's online backup API; PostgreSQL is backed up with pg_dump")
def test_backup_finishes_under_steady_commits(app, tmp_path):
    """A commit every few milliseconds for as long as the backup runs (up to 30 s): the backup
    must finish while they go on, with a sound copy."""
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    add_ballast(path, BALLAST_MB)
    stop, commits = threading.Event(), [0]
    writer = threading.Thread(target=ballast_writer, args=(path, stop, commits))
    cap = threading.Timer(30, stop.set)
    writer.start()
    cap.start()
    try:
        while commits[0] < 10 and writer.is_alive():  # the writer is going
            time.sleep(0.01)
        before, t0 = commits[0], time.perf_counter()
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
        seconds, during, writing = time.perf_counter() - t0, commits[0] - before, not stop.is_set()
    finally:
        stop.set()
        cap.cancel()
        writer.join()
    print(f"\nbackup under steady commits: {seconds:.2f} s, {during} commits meanwhile, "
          f"writer {'still' if writing else 'no longer'} writing when it ended")
    assert result.exit_code == 0, result.output
    assert writing, f"the backup finished only when the writes stopped ({seconds:.0f} s)"
    assert sqlite_checks(str(tmp_path / "copy.sqlite3")) == ("ok", 0)
