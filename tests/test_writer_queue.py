"""SQLite's writers queue on an OS lock before BEGIN IMMEDIATE (portal.db): it is held from
the start of a write transaction to its commit or rollback, never by a read; writers from
many threads all get their turn (none fails with "database is locked"); a writer waits a
bounded time and is then refused with WriterBusy before anything began; and where the lock
file cannot be opened (a read-only folder) writers go without the queue, as before."""
from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from portal import db as portal_db
from portal.db import WriterBusy, make_engine, write_intent
from portal.extensions import db
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: PostgreSQL writers queue on the advisory lock")


@pytest.fixture
def lock_file(app):
    with app.app_context():
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


def _writers(engine, threads: int = 6, each: int = 10) -> list[BaseException]:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS queue_probe (thread INTEGER, n INTEGER)"))
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        write_intent.set(True)
        try:
            for n in range(each):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO queue_probe VALUES (:i, :n)"), {"i": i, "n": n})
                    time.sleep(0.002)  # hold the lock a little, as a vote does
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    running = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    return errors


def test_writers_from_many_threads_all_get_their_turn(app, lock_file):
    with app.app_context():
        engine = db.engine
    assert _writers(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM queue_probe")).scalar() == 60
    assert _free(lock_file)


def test_a_writer_waits_a_bounded_time_then_is_refused_before_anything_began(app, lock_file, monkeypatch):
    """Someone holds the writer lock and does not let go: the next writer is refused with
    WriterBusy (a message, not a hang), nothing of its transaction happened, and once the
    lock is free the same engine writes again."""
    monkeypatch.setattr(portal_db, "WRITER_WAIT_S", 0.3)
    with app.app_context():
        engine = db.engine
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE busy_probe (n INTEGER)"))
    holder = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(WriterBusy) as refused:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO busy_probe VALUES (1)"))
        assert 0.3 <= time.monotonic() - started < 5
        assert "系统正忙，您的操作没有保存" in str(refused.value)
    finally:
        os.close(holder)
    assert _free(lock_file)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO busy_probe VALUES (2)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM busy_probe")).scalars().all() == [2]


def test_a_post_refused_as_busy_gets_a_page_saying_so(app, client, people, lock_file, monkeypatch):
    """Outside a rule's attempt (the user loader's statement begins the write of an ordinary
    POST), the refusal is the 503 page that asks the database nothing, told where htmx shows it."""
    from tests.conftest import login_as

    login_as(client, app, "staff")
    monkeypatch.setattr(portal_db, "WRITER_WAIT_S", 0.2)
    holder = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        resp = client.hx("/language", "POST", data={"lang": "en"})
    finally:
        os.close(holder)
    text_ = resp.get_data(as_text=True)
    assert resp.status_code == 503 and "系统正忙，您的操作没有保存，请稍后再试。" in text_, (resp.status_code, text_[:300])
    assert resp.headers["HX-Retarget"] == "#main" and resp.headers["Retry-After"] == "30"


def test_without_a_lock_file_writers_go_as_before(tmp_path: Path):
    """A folder where the lock file cannot be made: no queue, BEGIN IMMEDIATE and the busy
    handler keep writers apart, and every write still lands."""
    database = tmp_path / "ro.sqlite3"
    (tmp_path / "ro.sqlite3-writer").symlink_to(tmp_path / "missing" / "writer")  # cannot be opened
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert _writers(engine, threads=4, each=5) == []
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM queue_probe")).scalar() == 20
    finally:
        engine.dispose()
    assert not (tmp_path / "missing").exists()
