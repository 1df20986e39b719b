"""SQLite's writers queue on an OS lock before BEGIN IMMEDIATE (portal.db): it is held from
the start of a write transaction to its commit or rollback, never by a read, and writers from
many threads all get their turn (none fails with "database is locked")."""
from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from sqlalchemy import text

from portal.db import write_intent
from portal.extensions import db


@pytest.fixture
def lock_file(app):
    with app.app_context():
        if not db.is_sqlite:
            pytest.skip("SQLite only: PostgreSQL writers queue on the advisory lock")
        path = f"{db.engine.url.database}-writer"
    return path


def _free(path: str) -> bool:
    """Whether nobody holds the writer lock now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_the_writer_lock_is_held_for_a_write_transaction_only(app, lock_file):
    with app.app_context():
        engine = db.engine
    for end in ("commit", "rollback"):
        token = write_intent.set(True)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                assert not _free(lock_file)
                getattr(conn, end)()
                assert _free(lock_file), end
        finally:
            write_intent.reset(token)
    token = write_intent.set(False)
    try:
        with engine.connect() as conn:  # a read takes no lock
            conn.execute(text("SELECT 1"))
            assert _free(lock_file)
    finally:
        write_intent.reset(token)
    with engine.connect() as conn:  # a connection closed in a write transaction lets it go too
        write_intent.set(True)
        conn.execute(text("SELECT 1"))
        assert not _free(lock_file)
        conn.invalidate()
    assert _free(lock_file)


def test_writers_from_many_threads_all_get_their_turn(app, lock_file):
    with app.app_context():
        engine = db.engine
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE queue_probe (thread INTEGER, n INTEGER)"))
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        write_intent.set(True)
        try:
            for n in range(10):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO queue_probe VALUES (:i, :n)"), {"i": i, "n": n})
                    time.sleep(0.002)  # hold the lock a little, as a vote does
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM queue_probe")).scalar() == 60
    assert _free(lock_file)
