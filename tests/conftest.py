"""Shared fixtures: an app on a fresh database (SQLite file or PostgreSQL), people with
each role, and a test client that sends the CSRF token the way htmx does."""
from __future__ import annotations

import os
import secrets
import shutil
from datetime import date
from pathlib import Path
from typing import Any, Callable, Generic, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from portal import create_app
from portal.auth import passwords
from portal.auth.models import User
from portal.extensions import Base, db, write_intent
from portal.timeutil import utcnow

T = TypeVar("T")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
ROLES = ["staff", "rep", "union", "handler", "leader", "secretary", "principal", "recorder", "supervisor", "admin"]
PASSWORD = "Passw0rd-test"
_HASH: dict[str, str] = {}

# scrypt at OWASP's cost takes half a second a check; the suite hashes and checks passwords
# many times, so it runs at a cost of 2^10. tests/test_web.py pins the production method and
# hashes at it (PRODUCTION_PASSWORD_METHOD); a stored hash names its own cost, so both verify.
PRODUCTION_PASSWORD_METHOD = passwords.PASSWORD_METHOD
passwords.PASSWORD_METHOD = "scrypt:1024:8:1"


def password_hash() -> str:
    """One hash of PASSWORD (at the suite's cost), computed once per run."""
    if "h" not in _HASH:
        u = User(username="-", staff_no="-", name="-")
        u.set_password(PASSWORD)
        _HASH["h"] = u.password_hash
    return _HASH["h"]


class Client(FlaskClient):
    """A test client that adds a fresh X-CSRFToken to every unsafe request, like htmx does.

    Pass ``csrf=False`` to send none, or ``csrf="..."`` to send a given value.
    """

    def open(self, *args, **kwargs):
        csrf = kwargs.pop("csrf", True)
        method = (kwargs.get("method") or "GET").upper()
        if method not in ("GET", "HEAD", "OPTIONS") and csrf:
            token = self.csrf_token() if csrf is True else csrf
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", token)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """A valid token for this client's session, signed as Flask-WTF signs it."""
        with self.session_transaction() as s:
            raw = s.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def hx(self, url: str, method: str = "GET", **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        headers["HX-Request"] = "true"
        return self.open(url, method=method, headers=headers, **kwargs)


def _migrate(app: Flask) -> None:
    from portal.cli import migrate

    with app.app_context():
        migrate()


def _config(url: str, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key",
        "UPLOAD_DIR": extra.pop("UPLOAD_DIR", "/tmp/portal-test-uploads"),
        "LOGIN_MAX_PER_PAIR": 5,
        "LOGIN_MAX_PER_ADDRESS": 30,
        "LOGIN_MAX_PER_ACCOUNT": 10,
    }
    cfg.update(extra)
    return cfg


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database: a file to copy (SQLite) or a schema to clean (PostgreSQL)."""
    if ON_POSTGRES:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        app = create_app(_config(TEST_DATABASE_URL))
        _migrate(app)
        with app.app_context():
            db.engine.dispose()  # no connection left in it: CREATE DATABASE … TEMPLATE needs it idle
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = create_app(_config(f"sqlite:///{path}"))
    _migrate(app)
    with app.app_context():
        db.engine.dispose()
    return str(path)


_CLEANER: dict[str, Any] = {}


def _clean_postgres(url: str) -> None:
    """Empty the test database between tests: delete the rows of the tables that hold any (one
    statement finds them) and put every sequence back to 1, through one bare connection kept
    for the run. DELETE with the triggers off (session_replication_role, as the cluster's
    superuser; this also passes the audit chain's no-delete trigger) costs milliseconds for the
    few rows a test writes, where TRUNCATE … CASCADE, which makes new files for every table
    that refers to one of them, cost about half a second a test."""
    if "engine" not in _CLEANER:
        _CLEANER["engine"] = create_engine(url, poolclass=NullPool)  # holds no connection between tests
        names = [t.name for t in Base.metadata.sorted_tables]
        _CLEANER["probe"] = " UNION ALL ".join(
            f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
        with _CLEANER["engine"].connect() as conn:
            _CLEANER["superuser"] = conn.exec_driver_sql(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
    with _CLEANER["engine"].begin() as conn:
        filled = [row[0] for row in conn.exec_driver_sql(_CLEANER["probe"])]
        if filled and _CLEANER["superuser"]:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for name in filled:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
        elif filled:
            conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{n}"' for n in filled) + " CASCADE")
        conn.exec_driver_sql("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'")


def fresh_database_url(template_db: str, directory: Path) -> str:
    if ON_POSTGRES:
        _clean_postgres(template_db)
        return template_db
    target = directory / "test.sqlite3"
    shutil.copyfile(template_db, target)
    return f"sqlite:///{target}"


def _private_app(template_db: str, tmp_path: Path, **extra):
    app = create_app(_config(fresh_database_url(template_db, tmp_path), UPLOAD_DIR=str(tmp_path / "uploads"), **extra))
    app.test_client_class = Client
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def shared_app(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app for the whole run (building one compiles 165 URL rules); each test gets it
    on a database of its own, see :func:`app`."""
    app = create_app(_config(fresh_database_url(template_db, tmp_path_factory.mktemp("shared"))))
    app.test_client_class = Client
    with app.app_context():
        db.engine.dispose()
    return app


# What a test may change on the shared app and must find as it was: the config, and the
# per-worker memories that are keyed by a data version every fresh database starts again.
_PER_TEST_MEMORIES = ("page_cache", "versioned", "reader_cache", "user_cache")


@pytest.fixture
def app(shared_app: Flask, template_db: str, tmp_path: Path):
    """The shared app on a fresh database (a copy of the migrated template on SQLite, a
    cleaned schema on PostgreSQL), with its own upload folder. Tests that change the app
    itself (routes, hooks, settings read when the app is built) use ``private_app``."""
    yield from _on_fresh_database(shared_app, template_db, tmp_path)


def _on_fresh_database(app: Flask, template_db: str, tmp_path: Path, **extra):
    yield from _on_database(app, fresh_database_url(template_db, tmp_path), tmp_path, **extra)


def _on_database(app: Flask, url: str, tmp_path: Path, **extra):
    from portal import readiness

    config = dict(app.config)
    app.config.update(DATABASE_URL=url, UPLOAD_DIR=str(tmp_path / "uploads"), **extra)
    db.use(url)
    for name in _PER_TEST_MEMORIES:
        app.extensions.get(name, {}).clear()
    app.extensions["ready"] = True  # the template is at the newest schema
    try:
        yield app
    finally:
        db.engine.dispose()
        app.config.clear()
        app.config.update(config)
        for name in _PER_TEST_MEMORIES:
            app.extensions.get(name, {}).clear()
        readiness.init_app(app)


def postgres_database(name: str, template: str | None = None) -> str:
    """A new PostgreSQL database beside the test one (a clone of ``template`` if given)."""
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


class Snapshot(Generic[T]):
    """What an expensive setup wrote, kept as a database that each test using it gets a copy
    of (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), with what the setup
    returned (ids). For setups that many tests share, each test reading or changing its copy
    as it would a database of its own. Tests ask for one through the ``on_snapshot`` fixture."""

    def __init__(self, url: str, uploads: Path, value: T) -> None:
        self.url, self.uploads, self.value = url, uploads, value

    def open(self, app: Flask, tmp_path: Path, **extra):
        """The shared app on a copy of the snapshot (and of its uploaded files), for the
        length of one test."""
        if self.uploads.exists():
            shutil.copytree(self.uploads, tmp_path / "uploads")
        if ON_POSTGRES:
            url = postgres_database(f"portal_copy_{secrets.token_hex(4)}", template=make_url(self.url).database)
        else:
            shutil.copyfile(make_url(self.url).database or "", tmp_path / "test.sqlite3")
            url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        try:
            yield from _on_database(app, url, tmp_path, **extra)
        finally:
            if ON_POSTGRES:
                drop_postgres_database(url)

    def drop(self) -> None:
        if ON_POSTGRES:
            drop_postgres_database(self.url)


def take_snapshot(app: Flask, template_db: str, directory: Path, build: Callable[[Flask], T]) -> Snapshot[T]:
    """Run ``build`` on a database of its own, made from the migrated template (a file copy, or
    CREATE DATABASE … TEMPLATE from the emptied test database), and keep it as a :class:`Snapshot`.
    Its own database, so ``build`` may even take the schema back (tests of a migration)."""
    if ON_POSTGRES:
        _clean_postgres(template_db)
        url = postgres_database(f"portal_snap_{secrets.token_hex(4)}", template=make_url(template_db).database)
    else:
        shutil.copyfile(template_db, directory / "snapshot.sqlite3")
        url = f"sqlite:///{directory / 'snapshot.sqlite3'}"
    on_it = _on_database(app, url, directory)
    next(on_it)
    try:
        value = build(app)
    finally:
        on_it.close()  # every connection closed: PostgreSQL copies only a database no one is in
    return Snapshot(url, directory / "uploads", value)


@pytest.fixture(scope="module")
def _snapshots(shared_app: Flask):
    """The module's snapshots, by the function that built them; dropped with the module."""
    made: dict[Callable[[Flask], Any], Snapshot[Any]] = {}
    yield made
    for snapshot in made.values():
        snapshot.drop()


@pytest.fixture
def on_snapshot(shared_app: Flask, template_db: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
                _snapshots: dict):
    """``on_snapshot(build)`` → (the shared app on a copy of what ``build(app)`` wrote, what it
    returned). ``build`` runs once per module (see :class:`Snapshot`); each test gets its copy."""
    opened = []

    def open_copy(build: Callable[[Flask], T]) -> tuple[Flask, T]:
        if build not in _snapshots:
            _snapshots[build] = take_snapshot(shared_app, template_db, tmp_path_factory.mktemp("snapshot"), build)
        snapshot = _snapshots[build]
        on_copy = snapshot.open(shared_app, tmp_path)
        opened.append(on_copy)
        return next(on_copy), snapshot.value

    yield open_copy
    for on_copy in opened:
        on_copy.close()


@pytest.fixture(autouse=True)
def _writes_by_default():
    """Each test starts as a CLI command or a rule call does, with write intent (a GET served
    in the test's thread leaves the context variable false)."""
    token = write_intent.set(True)
    yield
    write_intent.reset(token)


@pytest.fixture
def private_app(template_db: str, tmp_path: Path):
    """An app of its own, for a test that adds routes or hooks or builds it differently."""
    yield from _private_app(template_db, tmp_path)


@pytest.fixture
def cached_app(shared_app: Flask, template_db: str, tmp_path: Path):
    """The app with the public page cache on (tests run with it off)."""
    yield from _on_fresh_database(shared_app, template_db, tmp_path, PAGE_CACHE=True)


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()


@pytest.fixture
def session(app: Flask):
    """A database session inside an app context, for rule tests without HTTP."""
    with app.app_context():
        yield db.session


def make_user(username: str, roles: set[str] | None = None, **fields) -> User:
    from portal.auth.models import Department
    from sqlalchemy import select

    dept = db.session.scalar(select(Department).where(Department.name == "教务处"))
    if dept is None:
        dept = Department(name="教务处", kind="office")
        db.session.add(dept)
    user = User(
        username=username, staff_no=fields.pop("staff_no", f"T{username}"), name=fields.pop("name", username),
        department=dept, password_hash=password_hash(), must_change_password=fields.pop("must_change_password", False),
        **fields,
    )
    roles = set(roles or set())
    seats = roles & set(MEMBERSHIP_IDENTITIES)
    user.set_roles(roles - seats)
    db.session.add(user)
    db.session.flush()
    for identity in sorted(seats):
        MEMBERSHIP_IDENTITIES[identity](user)
    return user


# Identities that are memberships, not roles: 书记 and 校长 are seats on a body, and a
# representative is on the congress term's roster.
def _seat(kind: str, seat: str, title: str):
    def give(user: User) -> None:  # set up directly: tests count the audit events they cause
        from portal.org.models import BodyKind, BodyMember
        from portal.org.rules import body_of

        body = body_of(db.session, BodyKind(kind))
        db.session.add(BodyMember(body_id=body.id, user_id=user.id, seat=seat, title=title, starts_on=date(2020, 1, 1)))
        db.session.flush()

    return give


def _representative(user: User) -> None:
    from sqlalchemy import select

    from portal.congress.models import CongressTerm, Representative

    term = db.session.scalar(select(CongressTerm).where(CongressTerm.is_current.is_(True)))
    if term is None:
        term = CongressTerm(number=1, name="第一届教职工代表大会", starts_on=date(2020, 1, 1),
                            ends_on=date(2099, 12, 31), is_current=True)
        db.session.add(term)
        db.session.flush()
    db.session.add(Representative(term_id=term.id, user_id=user.id, joined_on=term.starts_on))
    db.session.flush()


MEMBERSHIP_IDENTITIES = {
    "secretary": _seat("party_committee", "chair", "书记"),
    "principal": _seat("admin_team", "chair", "校长"),
    "rep": _representative,
}


@pytest.fixture
def people(app: Flask) -> dict[str, int]:
    """One user per role (username = role), committed; returns username → id."""
    with app.app_context():
        return make_people()


def make_people() -> dict[str, int]:
    ids = {role: make_user(role, {role}).id for role in ROLES}
    db.session.commit()
    return ids


def login_as(client: FlaskClient, app: Flask, username: str) -> None:
    """Sign in by writing the session the way the login view does (no password hashing)."""
    with app.app_context():
        from sqlalchemy import select

        user = db.session.scalar(select(User).where(User.username == username))
        token = user.get_id()
    now = utcnow().timestamp()
    with client.session_transaction() as s:
        s.clear()
        s["_user_id"] = token
        s["_fresh"] = True
        s["login_at"] = now
        s["seen_at"] = now


def writer_can_start(app: Flask) -> bool:
    """Whether another connection could take the write lock right now (no waiting): SQLite's,
    or PostgreSQL's advisory lock (``portal.db.PG_WRITE_LOCK``)."""
    import sqlite3

    if ON_POSTGRES:
        import psycopg

        from portal.db import PG_WRITE_LOCK

        with psycopg.connect(app.config["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")) as other:
            return bool(other.execute("SELECT pg_try_advisory_xact_lock(%s)", (PG_WRITE_LOCK,)).fetchone()[0])
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
