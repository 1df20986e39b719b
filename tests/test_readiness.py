"""A database that cannot be served gets one line that says what to fix, never a traceback
or a 500 (issue 17 items 1, 2 and 6): a schema behind the code, a bad or unreachable
``DATABASE_URL``, a missing driver, an unwritable instance folder; and a database that fails
in the middle of a request still gets the portal's page."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text

from portal import create_app
from portal.cli import migrate
from portal.config import _secret_key
from portal.extensions import db
from tests.conftest import ON_POSTGRES, Client, _config, login_as
from tests.faults.live import Gunicorn, request

ROOT = Path(__file__).resolve().parent.parent
BEHIND = "数据库需要升级：请运行 flask --app portal init-db"
BEHIND_EN = "The database needs an upgrade: run flask --app portal init-db"
UNREACHABLE_URL = "postgresql://portal@127.0.0.1:1/portal"  # nothing listens on port 1


def _app(url: str, tmp_path: Path):
    app = create_app(_config(url, UPLOAD_DIR=str(tmp_path / "uploads")))
    app.test_client_class = Client
    return app


@pytest.fixture
def old_schema_app(tmp_path):
    """An app whose SQLite database stopped at an earlier release's schema (0013)."""
    app = _app(f"sqlite:///{tmp_path / 'old.sqlite3'}", tmp_path)
    with app.app_context():
        migrate("0013")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_schema_behind_the_code_is_a_503_that_says_to_upgrade_until_it_is_upgraded(old_schema_app):
    app = old_schema_app
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["message"] == BEHIND and health.json["message_en"] == BEHIND_EN
    for path in ("/", "/notices/1", "/congress/sessions/1", "/login"):
        page = client.get(path)
        assert page.status_code == 503, path
        assert BEHIND in page.get_data(as_text=True)
    hx = client.get("/notices/school", headers={"HX-Request": "true"})
    assert hx.status_code == 503 and hx.headers["HX-Retarget"] == "#main"
    english = client.get("/", headers={"Accept-Language": "en"})
    assert BEHIND_EN in english.get_data(as_text=True)

    with app.app_context():
        found, left = migrate()
    assert found == ("0013",) and left != found
    assert client.get("/healthz").status_code == 200  # no restart needed
    assert client.get("/").status_code == 200


def test_an_empty_database_says_to_initialise_it(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json["message"] == "数据库尚未初始化：请运行 flask --app portal init-db"


@pytest.mark.parametrize("url, says", [
    ("nonsense://x", "DATABASE_URL 无法识别（nonsense://x）"),
    ("mysql://portal@127.0.0.1/portal", "缺少数据库驱动 MySQLdb"),
    (UNREACHABLE_URL, "无法连接数据库 postgresql://portal@127.0.0.1:1/portal"),
    ("sqlite:////proc/portal-nowhere/portal.sqlite3", "无法写入 /proc/portal-nowhere"),
], ids=["bad-url", "missing-driver", "unreachable", "unwritable"])
def test_bad_configuration_starts_the_app_and_answers_503_with_one_line(tmp_path, url, says):
    app = _app(url, tmp_path)  # never raises: the server must boot to say what is wrong
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["message"].startswith(says)
    page = client.get("/")
    assert page.status_code == 503 and says in page.get_data(as_text=True)

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    assert result.output.startswith("错误：" + says)
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_the_real_command_prints_one_line_and_exits_1(tmp_path):
    env = {**os.environ, "DATABASE_URL": UNREACHABLE_URL, "SECRET_KEY": "x"}
    run = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "init-db"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stdout == "" and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "无法连接数据库" in run.stderr and "Could not connect to the database" in run.stderr


def test_an_unwritable_instance_folder_is_named_not_raised(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    key, unwritable = _secret_key(blocker / "instance")  # a folder that cannot be made
    assert len(key) == 64 and unwritable == str(blocker / "instance")
    app = _app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path)
    app.config["INSTANCE_UNWRITABLE"] = unwritable
    from portal import readiness

    readiness.init_app(app)
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json["message"].startswith(f"无法写入 {unwritable}")


def test_gunicorn_boots_with_a_bad_database_url_and_healthz_says_why(tmp_path):
    with Gunicorn(UNREACHABLE_URL, "x", tmp_path / "gunicorn.log", workers=2, ready_status=503) as server:
        status, body = request(server.port, "GET", "/healthz")
    assert status == 503 and json.loads(body)["message"].startswith("无法连接数据库")


# --- a database that fails in the middle of a request -----------------------------------------

def test_a_session_that_cannot_close_never_reaches_the_browser_as_a_bare_error(app, client, people):
    """A rollback that fails in the teardown (the connection died) must not escape Flask, or
    the server answers with its bare English page; the test client would raise it here."""
    login_as(client, app, "staff")
    assert client.get("/notices/school").status_code == 200
    with app.app_context():
        engine = db.engine

    failed = {"n": 0}

    def dead(conn):
        if failed["n"] == 0:  # the server has gone: its transaction with it
            failed["n"] += 1
            conn.connection.dbapi_connection.rollback()
            raise RuntimeError("server closed the connection unexpectedly")

    event.listen(engine, "rollback", dead)
    try:
        resp = client.post("/notices/999999/ack")  # refused, so the teardown rolls back
    finally:
        event.remove(engine, "rollback", dead)
    assert failed["n"] == 1
    assert resp.status_code < 500 or "服务器出错" in resp.get_data(as_text=True)
    assert client.get("/notices/school").status_code == 200  # and the next request is served


def test_a_database_error_while_rendering_the_error_page_still_gets_the_portals_page(app, client, people):
    login_as(client, app, "staff")
    with app.app_context():
        engine = db.engine
    calls = {"n": 0}

    def failing(conn, cursor, statement, *args):
        calls["n"] += 1
        raise RuntimeError("the database went away")

    event.listen(engine, "before_cursor_execute", failing)
    try:
        resp = client.get("/notices/school")
    finally:
        event.remove(engine, "before_cursor_execute", failing)
    assert calls["n"] >= 1
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "处理请求时出错，您的操作没有生效" in body
    assert "<!doctype html>" in body and "portal.css" in body  # the portal's page, not plain text


@pytest.mark.skipif(not ON_POSTGRES, reason="a SQLite file cannot lose its connection")
def test_a_read_that_loses_its_connection_is_tried_once_more(app, client, people):
    login_as(client, app, "staff")
    assert client.get("/notices/school").status_code == 200
    with app.app_context():
        engine = db.engine
    killed = {"n": 0}

    def kill_own_connection(conn, cursor, statement, parameters, context, executemany):
        if killed["n"] == 0 and "notice" in statement:
            killed["n"] += 1
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:  # a restart
                other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})

    event.listen(engine, "before_cursor_execute", kill_own_connection)
    try:
        resp = client.get("/notices/school")
    finally:
        event.remove(engine, "before_cursor_execute", kill_own_connection)
    assert killed["n"] == 1
    assert resp.status_code == 200 and "校务公开" in resp.get_data(as_text=True)


@pytest.mark.skipif(not ON_POSTGRES, reason="a SQLite file cannot lose its connection")
def test_a_write_that_loses_its_connection_gets_the_page_and_changes_nothing(app, client, people):
    from tests.disclosure.factories import published

    with app.app_context():
        notice_id = published(db.session, ack=True).id
        db.session.commit()
        engine = db.engine
    login_as(client, app, "staff")
    killed = {"n": 0}

    def kill_at_insert(conn, cursor, statement, parameters, context, executemany):
        if killed["n"] == 0 and statement.lstrip().upper().startswith("INSERT"):
            killed["n"] += 1
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
                other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})

    event.listen(engine, "before_cursor_execute", kill_at_insert)
    try:
        resp = client.post(f"/notices/{notice_id}/ack")
    finally:
        event.remove(engine, "before_cursor_execute", kill_at_insert)
    assert killed["n"] == 1
    assert resp.status_code == 500 and "您的操作没有生效" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM notice_ack")).scalar() == 0
