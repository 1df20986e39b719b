"""Cross-cutting behaviour: headers, error pages, health, fragments, the CLI."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from tests.conftest import ON_POSTGRES, login_as, make_user


def test_security_headers_on_every_kind_of_response(app, client, people):
    for url in ("/", "/login", "/healthz", "/nope", "/static/css/portal.css"):
        h = client.get(url).headers
        csp = h["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "same-origin"
    login_as(client, app, "staff")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, people):
    from tests.conftest import PASSWORD

    r = client.post("/login", data={"username": "staff", "password": PASSWORD})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_error_pages_are_chinese(client):
    r = client.get("/does-not-exist")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)
    r = client.hx("/does-not-exist")
    assert r.headers["HX-Retarget"] == "#main" and "<html" not in r.get_data(as_text=True)


def test_unexpected_error_is_a_chinese_500_and_rolls_back(private_app):
    """A view writes through a rule function (a department and its audit event), then fails:
    the error page says so in Chinese, the request's session has already dropped the write
    when the page is made, and nothing of it reaches the database."""
    from flask import request

    from portal.admin.rules import create_department
    from portal.audit.models import AuditEvent
    from portal.auth.models import Department, User

    app = private_app  # routes and hooks are added: an app of its own
    with app.app_context():
        make_user("admin", {"admin"})
        db.session.commit()
    seen_in_view: list[int] = []
    seen_in_request: list[int] = []

    @app.post("/boom")
    def boom():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        create_department(db.session, admin, "炸弹组", "office")  # flushed: the write has begun
        seen_in_view.append(db.session.scalar(
            select(func.count()).select_from(Department).where(Department.name == "炸弹组")) or 0)
        raise RuntimeError("boom")

    @app.after_request
    def look(resp):
        if request.path == "/boom":  # after the error handler, in the same request and session
            seen_in_request.append(db.session.scalar(
                select(func.count()).select_from(Department).where(Department.name == "炸弹组")) or 0)
        return resp

    with app.app_context():
        events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    client = app.test_client()
    login_as(client, app, "admin")
    r = client.post("/boom")
    assert r.status_code == 500 and "服务器出错" in r.get_data(as_text=True)
    assert seen_in_view == [1], "the view did not get to write"
    assert seen_in_request == [0], "the error handler did not roll the request's write back"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Department).where(Department.name == "炸弹组")) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    # the same write without the error is kept (the check above can see one)
    ok = client.post("/admin/departments", data={"name": "炸弹组", "kind": "office"})
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Department).where(Department.name == "炸弹组")) == 1


def test_forbidden_page(app, client, people):
    login_as(client, app, "staff")
    r = client.get("/admin/users")
    assert r.status_code == 403 and "无权访问" in r.get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_home_is_public_portal_then_dashboard(app, client, people):
    assert "党务公开" in client.get("/").get_data(as_text=True)
    login_as(client, app, "admin")
    html = client.get("/").get_data(as_text=True)
    assert "您好，admin" in html and "用户管理" in html


def test_htmx_is_vendored_and_locked_down(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/vendor/htmx-2.0.11.min.js" in html and "http" not in html.split("<body")[0].replace("http-equiv", "")
    assert '"allowEval":false' in html and '"allowScriptTags":false' in html and '"includeIndicatorStyles":false' in html
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_password_hash_method_is_pinned(app, monkeypatch):
    """The production cost (the suite runs at a cheaper one, see conftest): a password set by
    the app is hashed with scrypt N=2^17, r=8, p=1 and checks against it."""
    from portal.auth import passwords
    from portal.auth.models import User
    from tests.conftest import PRODUCTION_PASSWORD_METHOD

    assert PRODUCTION_PASSWORD_METHOD == "scrypt:131072:8:1"
    monkeypatch.setattr(passwords, "PASSWORD_METHOD", PRODUCTION_PASSWORD_METHOD)
    with app.app_context():
        user = make_user("pinned")
        user.set_password("Str0ngPass-pinned")
        assert user.password_hash.startswith("scrypt:131072:8:1$")
        assert user.check_password("Str0ngPass-pinned") and not user.check_password("Str0ngPass-pinneD")


def test_sqlite_pragmas(app):
    if ON_POSTGRES:
        pytest.skip("SQLite only")
    with app.app_context():
        conn = db.engine.raw_connection()
        cur = conn.cursor()
        assert cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cur.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert cur.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
        assert cur.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        conn.close()


def test_postgres_writers_wait_for_the_lock_at_most_30_seconds(app):
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL only (SQLite: busy_timeout, above)")
    with app.app_context():
        assert db.session.execute(text("SHOW lock_timeout")).scalar() == "30s"


def test_cli_seed_verify_backup(app, tmp_path):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["seed-demo"])
    assert r.exit_code == 0 and "演示账号（密码均为 demo-2026）" in r.output
    r = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "跳过" in r.output
    r = runner.invoke(args=["audit", "verify"])
    assert r.exit_code == 0 and "审计链完整" in r.output
    _the_demo_reads_like_its_year(app)
    r = runner.invoke(args=["backup", str(tmp_path / "b.sqlite3")])
    if ON_POSTGRES:
        assert r.exit_code != 0 and "pg_dump" in r.output
    else:
        assert r.exit_code == 0
        con = sqlite3.connect(tmp_path / "b.sqlite3")
        assert con.execute("select count(*) from user").fetchone()[0] == 120
        con.close()


def _the_demo_reads_like_its_year(app):
    """Issue 20's demo data: the audit chain's times are those of what it records (a year and
    more of history, not the seconds of seeding) and run in the chain's order; the consultation
    cited as a precondition had closed before the decision; the proposal committee's
    candidates are the school's people."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.auth.models import User
    from portal.congress.models import Candidate, Poll
    from portal.consultations.models import Consultation
    from portal.decisions.models import Evidence, Item
    from portal.timeutil import utcnow

    with app.app_context():
        times = db.session.scalars(select(AuditEvent.at).order_by(AuditEvent.seq)).all()
        assert len(times) > 1500 and times == sorted(times)
        assert times[-1] - times[0] > timedelta(days=365) and times[-1] <= utcnow()
        signed = db.session.scalars(select(AuditEvent.at).where(AuditEvent.action == "meeting.minutes_signed")).all()
        assert max(signed) - min(signed) > timedelta(days=300)  # a year of meetings, not one seeding minute
        evidence = db.session.execute(select(Evidence, Item).join(Item, Item.id == Evidence.item_id)
                                      .where(Evidence.kind == "consultation")).one()
        heard = db.session.get(Consultation, int(evidence.Evidence.reference.split()[0].lstrip("#")))
        assert heard.summary_published_at is not None and evidence.Item.decided_at is not None
        assert heard.summary_published_at < evidence.Item.decided_at
        names = set(db.session.scalars(select(User.name)))
        election = db.session.scalar(select(Poll).where(Poll.title.like("%提案工作委员会%")))
        candidates = db.session.scalars(select(Candidate.name).where(Candidate.poll_id == election.id)).all()
        assert candidates and set(candidates) <= names


def test_cli_create_admin(app):
    r = app.test_cli_runner().invoke(args=["create-admin", "--username", "boss", "--name", "校长助理"], input="Str0ngPass\n")
    assert r.exit_code == 0 and "已创建管理员 boss" in r.output
    r = app.test_cli_runner().invoke(args=["create-admin", "--username", "weak", "--name", "x"], input="123\n")
    assert r.exit_code != 0 and "密码至少 8 位" in r.output
    r = app.test_cli_runner().invoke(args=["create-admin", "--username", "boss2", "--name", "x", "--staff-no", "boss"],
                                     input="Str0ngPass\n")
    assert r.exit_code != 0 and "工号 boss 已存在" in r.output
    r = app.test_cli_runner().invoke(args=["create-admin", "--username", "BOSS", "--name", "x", "--staff-no", "b3"],
                                     input="Str0ngPass\n")  # usernames differ by more than letter case
    assert r.exit_code == 1 and "用户名 BOSS 已存在" in r.output and isinstance(r.exception, SystemExit)


def test_english_catalogue_is_complete_and_placeholders_match():
    import re
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parent.parent / "portal/translations/en/LC_MESSAGES/messages.po"
    catalog = read_po(po.open("rb"))
    missing = [m.id for m in catalog if m.id and not m.string]
    assert missing == []
    placeholder = re.compile(r"%\(\w+\)[sd]")
    mismatched = [m.id for m in catalog if m.id and sorted(placeholder.findall(m.id)) != sorted(placeholder.findall(m.string))]
    assert mismatched == []


def test_english_interface(app, client, people):
    login_as(client, app, "principal")
    client.post("/language", data={"lang": "en"})
    html = client.get("/").get_data(as_text=True)
    assert "Hello, principal" in html and "Principal" in html and "Party affairs" in html


@pytest.mark.parametrize("url", ["/notices/99999999999999999999", "/attachments/4294967296",
                                 "/notices/school?page=99999999999999999999", "/admin/users/9223372036854775808"])
def test_huge_numbers_are_404_or_an_empty_page_never_500(app, client, people, url):
    login_as(client, app, "admin")
    assert client.get(url).status_code in (200, 404)


def test_safe_and_markup_only_where_allowed():
    """Raw HTML reaches a page only through the sanitised notice body."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    allowed = {("templates/disclosure/notice.html", "notice.body_html|safe"),
               ("templates/disclosure/_preview.html", "html|safe"),
               # consultation drafts and adoption summaries, through the same render_markdown
               ("templates/consultations/show.html", "c.body_html|safe"),
               ("templates/consultations/show.html", "c.summary_html|safe"),  # markup.render_markdown output
               ("templates/congress/work_report.html", "report.body_html|safe"),  # the same render_markdown
               # a report the portal's own template rendered, frozen, and cleaned by nh3 again when shown
               ("templates/congress/session_report.html", "html|safe")}
    found = set()
    for path in [*root.glob("templates/**/*.html"), *root.glob("portal/**/*.py")]:
        for match in re.finditer(r"[\w.]+\|safe|Markup\(", path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(root)), match.group(0)))
    assert found == allowed


def test_proxy_count_makes_throttling_see_the_client(template_db, tmp_path):
    from portal import create_app
    from tests.conftest import _config, fresh_database_url

    app = create_app(_config(fresh_database_url(template_db, tmp_path), PROXY_COUNT=1))

    @app.get("/whoami")
    def whoami():
        from portal.web import client_address

        return client_address()

    r = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert r.get_data(as_text=True) == "203.0.113.9"


def test_control_characters_never_reach_the_database(app, client, people):
    """PostgreSQL refuses NUL in text; every form and query value is cleaned on the way in."""
    login_as(client, app, "admin")
    r = client.post("/admin/departments", data={"name": "体\x00育\x07组\t", "kind": "subject"})
    assert r.status_code == 303
    assert client.get("/notices/search", query_string={"q": "a\x00b"}).status_code == 200
    with app.app_context():
        from portal.auth.models import Department

        assert db.session.scalar(select(Department.name).where(Department.name.like("体%"))) == "体育组"


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_controls_are_stripped_from_every_form_and_query_value(app, client, people):
    """An RLO in a name makes "组育体" read as something else; they go with the other controls."""
    login_as(client, app, "admin")
    r = client.post("/admin/departments", data={"name": f"体育{BIDI}组", "kind": "subject"})
    assert r.status_code == 303
    with app.app_context():
        from portal.auth.models import Department

        assert db.session.scalar(select(Department.name).where(Department.name.like("体育%"))) == "体育组"


def test_uploaded_file_names_lose_bidi_controls():
    from portal.files import clean_filename

    assert clean_filename(f"报告{BIDI}gpj.exe") == "报告gpj.exe"


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_an_upload_is_checked_and_written_before_the_write_begins(app, monkeypatch):
    import io
    from pathlib import Path

    from flask import request

    from portal import files, web
    from portal.extensions import write_intent

    seen: list[bool] = []
    real_store = files.store
    monkeypatch.setattr(files, "store", lambda *args: (seen.append(write_intent.get()), real_store(*args))[1])
    with app.test_request_context(method="POST", data={"file": (io.BytesIO(PDF), "预算.pdf")}):
        write_intent.set(False)  # as for a view marked writes_late
        stored = web.store_upload(request.files["file"])
        assert seen == [False] and write_intent.get() is True
        assert stored.filename == "预算.pdf" and stored.content_type == "application/pdf" and stored.size == len(PDF)
        assert (Path(app.config["UPLOAD_DIR"]) / stored.stored_name).read_bytes() == PDF
    with app.test_request_context(method="POST", data={"file": (io.BytesIO(b"<html>"), "a.pdf")}):
        write_intent.set(False)
        with pytest.raises(files.FileRefused, match="不支持该文件类型"):
            web.store_upload(request.files["file"])
        assert write_intent.get() is False  # refused: no write begun
    with app.test_request_context(method="POST"):
        write_intent.set(False)
        assert web.store_upload(None) is None and write_intent.get() is True


def test_a_stored_file_is_sent_as_a_sandboxed_download_or_404(app):
    from werkzeug.exceptions import NotFound

    from portal import files, web

    stored = files.store(app.config["UPLOAD_DIR"], "报告.pdf", PDF)
    with app.test_request_context():
        resp = web.send_stored("报告.pdf", stored.stored_name)  # no type kept: from the (checked) name
        assert resp.mimetype == "application/pdf" and resp.headers["Cache-Control"] == "private, no-store"
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        assert resp.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        resp.close()
        resp = web.send_stored("说明", stored.stored_name, public=True)
        assert resp.mimetype == "application/octet-stream" and resp.headers["Cache-Control"] == "public, max-age=300"
        resp.close()
        for name in ("", "../instance", "0" * 32):  # none, not one of ours, gone from disk
            with pytest.raises(NotFound):
                web.send_stored("报告.pdf", name)
