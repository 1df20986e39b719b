"""Extensions shared by every feature: the database, login, CSRF, i18n, htmx.

The database is plain SQLAlchemy 2: one engine per app and a scoped session bound
to the application context. ``db.session`` is that context's ``Session`` (typed as one, so
it can be passed wherever a rule function asks for a ``Session``). Views commit once; rule
functions only flush.
"""
from __future__ import annotations

from flask import Flask, g
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from portal.db import Base, make_engine, write_intent

__all__ = ["Base", "write_intent", "db", "login_manager", "csrf", "babel", "htmx"]


class Database:
    """The engine and the request-scoped session, set up by :meth:`init_app`."""

    def __init__(self) -> None:
        self._engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self._scoped: scoped_session[Session] = scoped_session(self._factory, scopefunc=_scope)

    @property
    def engine(self) -> Engine:
        """The application's engine (set by :meth:`init_app`)."""
        if self._engine is None:
            raise RuntimeError("the database is not set up: call db.init_app(app) first")
        return self._engine

    @property
    def session(self) -> Session:
        """The session of the current application context (one per request, CLI command
        or test block; created on first use, closed when the context ends)."""
        return self._scoped()

    def init_app(self, app: Flask) -> None:
        self._engine = make_engine(app.config["DATABASE_URL"])
        self._factory.configure(bind=self._engine)
        app.extensions["database"] = self

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            if exc is not None:
                self._scoped().rollback()
            self._scoped.remove()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


def _scope() -> int:
    # One session per application context (request, CLI command or test block).
    try:
        return id(g._get_current_object())
    except RuntimeError:
        return 0


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = Htmx()
