"""Whether this process can serve: the database configured, reachable, writable and at the
schema this code was written for.

Each problem is one line that names what to fix, in Chinese and English, and never a
traceback: ``/healthz`` answers 503 with it, every page shows it on the maintenance page
instead of failing, and every CLI command prints it and exits 1. A process that found its
database ready stops asking; one that did not asks again on each request, so running
``init-db`` (or starting the database) brings a running server back without a restart.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import Engine, exc as sa_exc

from portal.db import write_intent
from portal.errors import Message
from portal.i18n import N_
from portal.translate import explain

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

SCHEMA_BEHIND = N_("数据库需要升级：请运行 flask --app portal init-db")
SCHEMA_MISSING = N_("数据库尚未初始化：请运行 flask --app portal init-db")
SCHEMA_AHEAD = N_("数据库版本（%(found)s）比本程序（%(expected)s）新：请升级程序，或恢复与之匹配的数据库备份")
BAD_URL = N_("DATABASE_URL 无法识别（%(url)s）：应形如 sqlite:////路径/portal.sqlite3 或 postgresql://用户@主机/库名")
NO_DRIVER = N_("缺少数据库驱动 %(module)s：请运行 pip install -r requirements.txt")
UNREACHABLE = N_("无法连接数据库 %(where)s：请检查 DATABASE_URL，并确认数据库服务正在运行（%(reason)s）")
READ_ONLY = N_("无法写入 %(path)s：请让运行本程序的用户可以写入该目录（或用 DATABASE_URL 指向可写的位置）")


class NotReady(Exception):
    """The database cannot be used; ``problem`` says what to fix."""

    def __init__(self, problem: Message) -> None:
        super().__init__(str(problem))
        self.problem = problem


@functools.cache
def scripts() -> ScriptDirectory:
    """The migrations this code ships (read once a process)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def expected_heads() -> frozenset[str]:
    """The newest revision of every migration branch this code ships."""
    return frozenset(scripts().get_heads())


def schema_problem(engine: Engine, url: str) -> Message | None:
    """Why the database at ``engine`` (configured as ``url``) cannot be served, or None."""
    reading = write_intent.set(False)  # a look, not a write: no write lock on SQLite
    try:
        with engine.connect() as conn:
            found = frozenset(MigrationContext.configure(conn).get_current_heads())
    except Exception as error:  # noqa: BLE001 - every failure becomes one line (or re-raises)
        return describe(error, url)
    finally:
        write_intent.reset(reading)
    expected = expected_heads()
    if found == expected:
        return None
    if not found:
        return Message(SCHEMA_MISSING)
    known = {rev.revision for rev in scripts().walk_revisions()}
    if found - known:  # revisions this code has never heard of: a newer release wrote them
        return Message(SCHEMA_AHEAD, found=", ".join(sorted(found)), expected=", ".join(sorted(expected)))
    return Message(SCHEMA_BEHIND)


def describe(error: BaseException, url: str = "") -> Message:
    """The one line for an error met while setting up or reaching the database; other
    errors are not configuration problems and are raised again."""
    if isinstance(error, NotReady):
        return error.problem
    if isinstance(error, ImportError):
        return Message(NO_DRIVER, module=error.name or str(error))
    if isinstance(error, sa_exc.ArgumentError | sa_exc.NoSuchModuleError):
        return Message(BAD_URL, url=hide_password(url))
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        if "readonly" in reason or "read-only" in reason or "unable to open database file" in reason:
            return Message(READ_ONLY, path=_sqlite_path(url) or url)
        return Message(UNREACHABLE, where=hide_password(url), reason=reason[:200])
    if isinstance(error, OSError) and getattr(error, "filename", None):
        return Message(READ_ONLY, path=str(error.filename))
    raise error


def one_line(problem: Message) -> str:
    """The problem in Chinese, then in English, on one line (for logs, the CLI, /healthz)."""
    return f"{problem} / {english(problem)}"


def english(problem: Message) -> str:
    with force_locale("en"):
        return explain(problem)


def hide_password(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is shown as given
        return url.split("@")[-1] if "@" in url else url


def _sqlite_path(url: str) -> str | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1].split("?", 1)[0]
    return str(Path(path).parent) if path else None


# --- the app's side ------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Keep the app's readiness: a problem found while creating it (a bad URL, a missing
    driver, an unwritable instance folder) stays until the process restarts; the schema and
    the connection are checked on the first request and again until they are right."""
    unwritable = app.config.get("INSTANCE_UNWRITABLE")
    app.extensions["startup_problem"] = Message(READ_ONLY, path=unwritable) if unwritable else None
    app.extensions["ready"] = False


def problem(app: Flask) -> Message | None:
    """Why ``app`` cannot serve now, or None (and then never asked again in this process)."""
    if app.extensions.get("ready"):
        return None
    startup: Message | None = app.extensions.get("startup_problem")
    if startup is not None:
        return startup
    found = schema_problem(app.extensions["database"].engine, app.config["DATABASE_URL"])
    if found is None:
        app.extensions["ready"] = True
    return found


def startup_failed(app: Flask, error: BaseException, url: str = "") -> Message:
    """Record a problem met while creating the app, so it starts and says so."""
    found = describe(error, url)
    app.extensions["startup_problem"] = found
    return found


def unavailable_details(found: Message) -> dict[str, Any]:
    return {"status": "unavailable", "message": str(found), "message_en": english(found)}
