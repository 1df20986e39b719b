"""Outside inspectors (督导 / 巡察): a dated term decides when the account may act (rules, by
date), what it may open (the inspection pages, nothing else), that it writes nothing, and
that every page it opens is in the audit log."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.admin.rules import AdminError, open_inspector, update_user
from portal.audit.models import AuditEvent
from portal.audit.rules import verify_chain
from portal.auth.models import Role, User, on_staff
from portal.auth.permissions import Context, can, inspects
from portal.errors import DomainError
from portal.org.memberships import Memberships
from portal.org.models import CongressTerm, TermKind
from portal.org.roster import roster_ids
from portal.org.rules import change_inspector_end, inspector_refusal
from portal.timeutil import day_start_utc, to_local, utcnow
from tests.conftest import PASSWORD, login_as, password_hash

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 13)


def _open(session, people, starts: date = FIRST, ends: date = LAST, today: date = FIRST, username: str = "duda"):
    admin = session.get(User, people["admin"])
    user, term = open_inspector(session, admin, username=username, name="督导乙", unit="区教育局督导室",
                                starts_on=starts, ends_on=ends, today=today, password_hash=password_hash())
    session.flush()
    return user, term


def _ctx(session, day: date) -> Context:
    return Context(Memberships(session, day), day_start_utc(day) + timedelta(hours=10))


@pytest.mark.parametrize("day, allowed", [
    (FIRST - timedelta(days=1), False),  # the day before
    (FIRST, True),  # the first day
    (LAST, True),  # the last day
    (LAST + timedelta(days=1), False),  # the day after
])
def test_the_term_decides_by_date(session, people, day, allowed):
    user, _term = _open(session, people)
    ctx = _ctx(session, day)
    assert Memberships(session, day).inspects(user.id) is allowed
    assert inspects(user, ctx) is allowed
    assert (inspector_refusal(session, user.id, day) is None) is allowed
    for action in ("self_check.view", "audit.view"):
        assert can(user, action, None, ctx) is allowed


def test_the_refusal_names_the_term(session, people):
    user, _term = _open(session, people)
    assert "2026-11-02" in inspector_refusal(session, user.id, FIRST - timedelta(days=1))
    assert "2026-11-13" in inspector_refusal(session, user.id, LAST + timedelta(days=1))
    staff = session.get(User, people["staff"])
    assert inspector_refusal(session, staff.id, FIRST) is None  # not an inspector: not this rule's business


def test_an_inspector_is_never_staff_nor_an_insider(session, people):
    user, _term = _open(session, people)
    assert user.roles == frozenset({Role.INSPECTOR.value})
    ctx = _ctx(session, FIRST)
    for action in ("decisions.workspace", "notice.workspace", "users.manage", "item.view", "procedure.view"):
        assert not can(user, action, None, ctx), action
    # no roster, no rater list, no picker counts an inspector as staff
    assert user.id not in session.scalars(select(User.id).where(on_staff())).all()
    assembly = CongressTerm(number=9, name="教职工大会", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                            kind=TermKind.ASSEMBLY.value)
    session.add(assembly)
    session.flush()
    on_roster = roster_ids(session, assembly.id, FIRST)
    assert user.id not in on_roster and people["staff"] in on_roster


def test_the_admin_cannot_make_an_inspector_staff_by_roles(session, people):
    user, _term = _open(session, people)
    admin = session.get(User, people["admin"])
    with pytest.raises(AdminError):
        update_user(session, admin, user, name="x", department=None, is_party_member=False, roles=["leader"],
                    active=True)
    with pytest.raises(ValueError):
        session.get(User, people["staff"]).set_roles({"inspector"})


def test_terms_are_bounded_and_can_be_changed(session, people):
    with pytest.raises(DomainError):  # ends before it starts
        _open(session, people, starts=LAST, ends=FIRST, username="a1")
    with pytest.raises(DomainError):  # over a year: an inspection has an end
        _open(session, people, starts=FIRST, ends=FIRST + timedelta(days=400), username="a2")
    with pytest.raises(DomainError):  # already over
        _open(session, people, starts=FIRST, ends=LAST, today=LAST + timedelta(days=3), username="a3")
    user, term = _open(session, people)
    admin = session.get(User, people["admin"])
    change_inspector_end(session, admin, term, LAST + timedelta(days=7), today=LAST)  # extended
    assert Memberships(session, LAST + timedelta(days=7)).inspects(user.id)
    change_inspector_end(session, admin, term, FIRST + timedelta(days=2), today=FIRST + timedelta(days=3))  # ended
    assert not Memberships(session, FIRST + timedelta(days=3)).inspects(user.id)
    with pytest.raises(DomainError):
        change_inspector_end(session, admin, term, FIRST - timedelta(days=5), today=FIRST)


# --- through HTTP ------------------------------------------------------------------------

def _inspector_today(app, people, starts_offset: int = -1, ends_offset: int = 1) -> str:
    from portal.extensions import db

    today = to_local(utcnow()).date()
    with app.app_context():
        user, _term = _open(db.session, people, starts=today + timedelta(days=starts_offset),
                            ends=today + timedelta(days=ends_offset), today=today + timedelta(days=starts_offset))
        user.must_change_password = False
        db.session.commit()
    return "duda"


def _viewed(app) -> list[tuple[str, int]]:
    import json

    from portal.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "inspection.viewed")
                                  .order_by(AuditEvent.seq)).all()
        return [(json.loads(r.summary)["page"], json.loads(r.summary)["status"]) for r in rows]


def test_every_page_the_inspector_opens_is_recorded(app, people):
    client = app.test_client()
    login_as(client, app, _inspector_today(app, people))
    assert client.get("/decisions/self-check").status_code == 200
    assert client.get("/audit/?actor=x").status_code == 200
    refused = client.get("/admin/users")
    assert refused.status_code == 403 and "督导账号只能查看" in refused.get_data(as_text=True)
    assert client.get("/notices/party", headers={"HX-Request": "true"}).status_code == 403
    assert _viewed(app) == [("/decisions/self-check", 200), ("/audit/?actor=x", 200), ("/admin/users", 403),
                            ("/notices/party", 403)]
    page = client.get("/audit/").get_data(as_text=True)
    assert "督导乙（督导）查看 /decisions/self-check：已显示" in page  # the log reads it as a sentence
    assert "督导乙（督导）查看 /admin/users：被拒绝" in page
    from portal.extensions import db

    with app.app_context():
        assert verify_chain(db.session).ok


def test_the_inspector_writes_nothing(app, people):
    from portal.extensions import db

    client = app.test_client()
    login_as(client, app, _inspector_today(app, people))
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action != "inspection.viewed"))
    token_page = client.get("/decisions/self-check").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    for url in ("/decisions/meetings/new", "/notices/new", "/admin/users/new", "/inbox/read-all"):
        resp = client.post(url, data={"csrf_token": token, "title": "x"})
        assert resp.status_code == 403, url
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action != "inspection.viewed"))
    assert after == before


def test_the_home_page_leads_to_the_self_check_and_the_menu_shows_only_its_pages(app, people):
    client = app.test_client()
    login_as(client, app, _inspector_today(app, people))
    assert client.get("/").headers["Location"].startswith("/decisions/self-check")
    page = client.get("/decisions/self-check").get_data(as_text=True)
    nav = page.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert "自查" in nav and "审计日志" in nav and "决议督办" in nav
    assert "党务公开" not in nav and "教代会" not in nav and "用户管理" not in nav
    assert 'id="inbox-link"' not in page


def test_outside_the_term_the_session_ends_and_sign_in_is_refused(app, people):
    from portal.extensions import db

    client = app.test_client()
    login_as(client, app, _inspector_today(app, people, starts_offset=-5, ends_offset=-1))  # ended yesterday
    resp = client.get("/decisions/self-check")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert client.get("/decisions/self-check").headers["Location"].startswith("/login")  # signed out
    fresh = app.test_client()
    page = fresh.post("/login", data={"username": "duda", "password": PASSWORD}).get_data(as_text=True)
    assert "有效期已于" in page and "结束" in page
    assert fresh.get("/decisions/self-check").status_code == 302  # never signed in


def test_the_admin_opens_an_inspector_on_its_page(app, people):
    client = app.test_client()
    login_as(client, app, "admin")
    page = client.get("/admin/inspectors").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    token_value = token.group(1) or token.group(2)
    today = to_local(utcnow()).date()
    bad = client.post("/admin/inspectors", data={"csrf_token": token_value, "name": "督导丙", "username": "dubing",
                                                 "starts_on": today.isoformat(),
                                                 "ends_on": (today - timedelta(days=1)).isoformat()})
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.get_data(as_text=True)
    ok = client.post("/admin/inspectors", data={"csrf_token": token_value, "name": "督导丙", "username": "dubing",
                                                "unit": "市教委巡察组", "starts_on": today.isoformat(),
                                                "ends_on": (today + timedelta(days=10)).isoformat()})
    assert ok.status_code == 200 and "一次性密码" in ok.get_data(as_text=True)
    listing = client.get("/admin/inspectors").get_data(as_text=True)
    assert "督导丙" in listing and "市教委巡察组" in listing


def test_the_cli_opens_an_inspector(app, people):
    from portal.extensions import db
    from portal.org.models import InspectorTerm

    today = to_local(utcnow()).date()
    runner = app.test_cli_runner()
    r = runner.invoke(args=["open-inspector", "--username", "xuncha", "--name", "巡察员", "--unit", "区委巡察组",
                            "--from", today.isoformat(), "--until", (today + timedelta(days=5)).isoformat()])
    assert r.exit_code == 0 and "一次性密码" in r.output, r.output
    r = runner.invoke(args=["open-inspector", "--username", "xuncha2", "--name", "巡察员",
                            "--from", today.isoformat(), "--until", (today - timedelta(days=5)).isoformat()])
    assert r.exit_code != 0 and "不能早于开始日期" in r.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "xuncha"))
        assert user.is_inspector_account and user.must_change_password
        term = db.session.scalar(select(InspectorTerm).where(InspectorTerm.user_id == user.id))
        assert (term.unit, term.ends_on) == ("区委巡察组", today + timedelta(days=5))
        assert db.session.scalar(select(User.id).where(User.username == "xuncha2")) is None
