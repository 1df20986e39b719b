"""Extensions shared by every feature: the database, login, CSRF, i18n, htmx.

The database is plain SQLAlchemy 2: one engine per app and a scoped session bound
to the application context. ``db.session`` is that context's ``Session`` (typed as one, so
it can be passed wherever a rule function asks for a ``Session``). Views commit once; rule
functions only flush.
"""
from __future__ import annotations

import logging

from flask import Flask, g
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from portal import readiness
from portal.db import Base, make_engine, write_intent
from portal.errors import Message

log = logging.getLogger(__name__)

__all__ = ["Base", "write_intent", "db", "login_manager", "csrf", "babel", "htmx"]


class Database:
    """The engine and the request-scoped session, set up by :meth:`init_app`."""

    def __init__(self) -> None:
        self._engine: Engine | None = None
        self._problem: Message | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self._scoped: scoped_session[Session] = scoped_session(self._factory, scopefunc=_scope)

    @property
    def engine(self) -> Engine:
        """The application's engine (set by :meth:`init_app`)."""
        if self._engine is None:
            if self._problem is not None:
                raise readiness.NotReady(self._problem)
            raise RuntimeError("the database is not set up: call db.init_app(app) first")
        return self._engine

    @property
    def session(self) -> Session:
        """The session of the current application context (one per request, CLI command
        or test block; created on first use, closed when the context ends)."""
        return self._scoped()

    def init_app(self, app: Flask) -> None:
        """The engine for ``DATABASE_URL``; a URL that names no database or a driver that is
        not installed leaves the app without one, saying why (``portal.readiness``)."""
        url = app.config["DATABASE_URL"]
        try:
            self._engine, self._problem = make_engine(url), None
        except (ArgumentError, NoSuchModuleError, ImportError) as error:
            self._engine, self._problem = None, readiness.startup_failed(app, error, url)
        self._factory.configure(bind=self._engine)
        app.extensions["database"] = self

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            # Never raise from here: the response is already made, and an error escaping the
            # teardown would reach the server as its bare English error page.
            try:
                if exc is not None:
                    self._scoped().rollback()
                self._scoped.remove()
            except Exception:  # noqa: BLE001 - a dropped connection; the pool replaces it
                log.warning("closing the database session failed", exc_info=True)
                self.discard()

    def discard(self) -> None:
        """Drop this context's session and close its connections rather than pool them:
        for a session whose rollback failed (its connection is dead or in an unknown state)."""
        try:
            self._scoped().invalidate()
        except Exception:  # noqa: BLE001 - nothing more can be done with it
            log.warning("invalidating the session failed", exc_info=True)
        self._scoped.registry.clear()

    def use(self, url: str) -> None:
        """Point the running app at another database (the tests give each test its own,
        on one app); the engine in use before is disposed."""
        if self._engine is not None:
            self._engine.dispose()
        self._scoped.remove()
        self._engine, self._problem = make_engine(url), None
        self._factory.configure(bind=self._engine)

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
