"""The database layer every feature shares: the declarative ``Base``, the engine, and the
write lock every write transaction takes first (SQLite and PostgreSQL). Imports no Flask, so
models and rules can be loaded and tested without an application (see
``tests/test_layering.py``)."""
from __future__ import annotations

import enum
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import CheckConstraint, Engine, MetaData, create_engine, event, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session

from portal.errors import DomainError
from portal.i18n import N_

# Constraint names must be stable so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def one_of(column: str, states: Iterable[enum.Enum]) -> CheckConstraint:
    """A CHECK that ``column`` holds one of the enum's values (named ``ck_<table>_<column>``)."""
    return CheckConstraint(f"{column} IN ({', '.join(repr(str(s.value)) for s in states)})", name=column)


@contextmanager
def refused_on_conflict(session: Session, error: DomainError) -> Iterator[None]:
    """Flush what the block writes inside a savepoint; when a constraint refuses it (another
    writer got there first), only the savepoint is undone and ``error`` (a message for the
    reader) is raised instead of a server error. The write lock makes this rare: it answers
    for writes that were not under it."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        raise error from None


# Whether the current unit of work may write. Safe (GET/HEAD) requests open their
# transactions without the write lock so readers never queue behind writers or each other;
# everything else takes it up front: BEGIN IMMEDIATE on SQLite, because a deferred
# read-then-write upgrade fails at once with "database is locked" and ignores busy_timeout;
# the advisory lock below on PostgreSQL.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)

# PostgreSQL's counterpart of BEGIN IMMEDIATE: one transaction-scoped advisory lock, taken as
# the first statement of every transaction that may write, so writers run one at a time and
# each reads (READ COMMITTED: every statement sees what was committed before it) only after
# the previous writer committed. Rules check, then act (the next number is max + 1; one poll
# open at a time; no ballot after the tally) on data no other writer can change meanwhile.
# The audit chain takes the same lock before appending (re-entrant within a transaction), which
# also covers writes begun without intent. Any constant works; this one is the only one.
PG_WRITE_LOCK = 7_263_001


_PG_LOCKED = "portal_write_locked"


def take_write_lock(session: Session) -> None:
    """Take the write lock within the session's transaction on PostgreSQL (once: a
    transaction that holds it, from its start or from an earlier call, asks nothing). On
    SQLite a write transaction holds it from BEGIN IMMEDIATE, so there is nothing to take.

    Taken in a transaction that has read already, it is as good as a new transaction's:
    READ COMMITTED reads each statement from what was committed before that statement, so
    everything read after the lock sees every writer before it."""
    if session.get_bind().dialect.name != "postgresql":
        return
    conn = session.connection()
    if not conn.info.get(_PG_LOCKED):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
        conn.info[_PG_LOCKED] = True


def normalise_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url`` whose write transactions start with the write lock: BEGIN
    IMMEDIATE on SQLite (with WAL, foreign keys and a busy timeout), the advisory lock
    :data:`PG_WRITE_LOCK` on PostgreSQL. Read-only units of work (``write_intent`` false:
    GET and HEAD requests) take neither."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        # A database that does not answer is reported within seconds, not after the OS gives up;
        # a writer waits for the write lock at most 30 s, as SQLite's busy_timeout lets it.
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                               connect_args={"connect_timeout": 10, "options": "-c lock_timeout=30000"}
                               if "+psycopg" in url else {})
        if engine.dialect.name == "postgresql":

            @event.listens_for(engine, "begin")
            def _pg_begin(conn: Any) -> None:
                # An AUTOCOMMIT connection (VACUUM, CREATE DATABASE) has no transaction to hold
                # the lock for; taking it there would only wait on this thread's own writer.
                locked = write_intent.get() and conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
                if locked:  # waits for the writer holding it to commit or roll back
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
                conn.info[_PG_LOCKED] = locked  # every transaction says afresh whether it holds it

            @event.listens_for(engine, "rollback_savepoint")
            def _pg_savepoint_undone(conn: Any, name: Any, context: Any) -> None:
                # A lock first taken inside the savepoint went with it: the next take asks again
                # (a no-op when it was held from before the savepoint).
                conn.info[_PG_LOCKED] = False

        return engine

    path = make_url(url).database or ""
    lock_path = f"{path}-writer" if path and path != ":memory:" and not path.startswith("file:") else ""
    engine = create_engine(url, connect_args={"timeout": 30, "factory": _QueuedWriters}
                           if lock_path else {"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - every test
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        if not write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        dbapi_conn = conn.connection.dbapi_connection
        queued = isinstance(dbapi_conn, _QueuedWriters)
        if queued:
            dbapi_conn.wait_for_writers(lock_path, WRITER_WAIT_S)  # WriterBusy: nothing begun
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if queued:
                dbapi_conn.writer_done()
            raise

    return engine


class WriterBusy(DomainError):
    """The write lock did not come free in time (:data:`WRITER_WAIT_S`): nothing was begun,
    so nothing was written; the reader is told to try again."""


def writer_busy() -> WriterBusy:
    return WriterBusy(N_("系统正忙，您的操作没有保存，请稍后再试。"))


# SQLite lets one writer in at a time, and a writer that finds the database locked does not
# wait to be woken: its busy handler sleeps and tries again, up to 100 ms between tries, so
# when the hall votes at once the lock is free much of the time while every waiter sleeps
# (300 votes took twice as long on 4 gunicorn workers as on one). So a write transaction
# first queues on an OS lock, ``flock`` on the file "<database>-writer", asked every 0.2-2 ms
# (a waiter is never more than 2 ms late), and only then runs BEGIN IMMEDIATE. The queue is
# only a way to wait: BEGIN IMMEDIATE is still what keeps writers apart (and busy_timeout
# still waits for writers outside the queue, such as the sqlite3 shell), so when the file
# cannot be opened (a read-only folder) writers simply go without it. A writer waits at most
# WRITER_WAIT_S, then is refused with :class:`WriterBusy` before anything began. flock is
# per open file, so it orders the threads of one process as well as the processes of a
# server; a thread that already holds it (a second write transaction of its own, on another
# connection) does not wait for itself.
WRITER_WAIT_S = 30.0  # as long as busy_timeout lets a writer wait
_holding: dict[int, int] = {}  # thread id -> write transactions of that thread holding the lock
_holding_guard = threading.Lock()


def _open_lock_file(lock_path: str) -> int | None:
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):  # flock works on a read-only file too
        try:
            return os.open(lock_path, flags | os.O_CLOEXEC, 0o600)
        except OSError:
            continue
    return None  # a read-only folder without the file: no queue, BEGIN IMMEDIATE waits alone


class _QueuedWriters(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on the writer lock first; the lock
    is let go when the transaction ends (commit, rollback or close, from any thread)."""

    _lock_fd: int | None = None
    _owner: int = 0

    def wait_for_writers(self, lock_path: str, wait: float) -> None:
        me = threading.get_ident()
        if self._lock_fd is not None or _holding.get(me, 0) > 0:
            return
        fd = _open_lock_file(lock_path)
        if fd is None:
            return
        try:
            deadline, pause = time.monotonic() + wait, 0.0002
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise writer_busy() from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd, self._owner = fd, me
        with _holding_guard:
            _holding[me] = _holding.get(me, 0) + 1

    def writer_done(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            with _holding_guard:
                left = _holding.pop(self._owner, 1) - 1
                if left > 0:
                    _holding[self._owner] = left
            os.close(fd)  # closing the file lets the lock go

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.writer_done()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.writer_done()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.writer_done()
