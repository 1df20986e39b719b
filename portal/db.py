"""The database layer every feature shares: the declarative ``Base``, the engine and the
SQLite transaction handling. Imports no Flask, so models and rules can be loaded and tested
without an application (see ``tests/test_layering.py``)."""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase

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


# Whether the current unit of work may write. Safe (GET/HEAD) requests open their SQLite
# transactions deferred so readers never queue behind each other; everything else takes
# the write lock up front with BEGIN IMMEDIATE, because a deferred read-then-write
# upgrade fails at once with "database is locked" and ignores busy_timeout.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def normalise_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; on SQLite with WAL, foreign keys, a busy timeout, and BEGIN
    IMMEDIATE for every transaction that may write."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        # A database that does not answer is reported within seconds, not after the OS gives up.
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                             connect_args={"connect_timeout": 10} if "+psycopg" in url else {})

    engine = create_engine(url, connect_args={"timeout": 30})

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
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")

    return engine
