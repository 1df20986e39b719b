"""Refusals reach the person (issue 21.2): on a phone, a vote sent after the union closed the
poll shows the rule's message where the ballot was and the page as it now is (closed); a
request refused by a permission shows the refusal in the page instead of swapping nothing."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from portal.auth.models import User
from portal.congress.models import CongressSession, Participation, Poll, Representative, SessionStatus
from portal.congress.rules import polls, roster, sessions
from portal.org.roster import roster_ids
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.e2e.conftest import PageProblems, new_context, shoot

PHONE = {"width": 375, "height": 800}


def _user(s, name: str) -> User:
    return s.scalar(select(User).where(User.username == name))


def _open_poll(e2e_app, title: str) -> int:
    """Today's open session of the demo school with every representative present and an open
    named motion ``title`` (made through the rules, as the union would)."""
    with e2e_app.app_context():
        s = db.session
        union = _user(s, "union")
        cs = s.scalar(select(CongressSession).where(CongressSession.status == SessionStatus.OPEN.value))
        assert cs is not None, "the demo school has an open congress session"
        for poll in s.scalars(select(Poll).where(Poll.session_id == cs.id, Poll.status == "open")).all():
            polls.close_poll(s, union, poll)  # one open poll at a time
        day = to_local(utcnow()).date()
        for user_id in roster_ids(s, cs.term_id, day):
            if not sessions.is_present(s, cs, user_id):
                sessions.record_presence(s, union, cs, s.get(User, user_id), "in", "纸质签到")
        poll = polls.create_poll(s, union, cs, polls.PollSpec(
            title=title, kind="motion", secret=False, paper=False, seats=1, candidates=(),
            rule_num=1, rule_den=2, rule_strict=False))
        polls.open_poll(s, union, poll)
        s.commit()
        return poll.id


def _phone(browser: Browser, live_server, session_cookie, username: str):
    context = new_context(browser, live_server, viewport=dict(PHONE))
    context.add_cookies([session_cookie(username)])
    page = context.new_page()
    return context, page, PageProblems(page)


def test_a_vote_sent_after_the_close_shows_why_and_the_closed_poll(browser, live_server, session_cookie, e2e_app):
    poll_id = _open_poll(e2e_app, "关于修订教职工请假制度的表决")
    ctx, phone, problems = _phone(browser, live_server, session_cookie, "rep1")
    phone.goto(f"/congress/polls/{poll_id}")
    expect(phone.locator(".page-head")).to_contain_text("投票中")
    phone.get_by_label("赞成").check()

    # Meanwhile the union closes the poll at the desk.
    union_ctx = new_context(browser, live_server)
    union_ctx.add_cookies([session_cookie("union")])
    union = union_ctx.new_page()
    union_problems = PageProblems(union)
    union.goto(f"/congress/polls/{poll_id}")
    union.get_by_role("button", name="结束表决并计票").click()
    expect(union.get_by_text("表决已结束，结果如下。")).to_be_visible()
    assert not union_problems.items, union_problems.items
    union_ctx.close()

    phone.get_by_role("button", name="投票", exact=True).click()
    message = phone.get_by_role("alert").filter(has_text="表决已经结束，不能再投票。")
    expect(message).to_be_visible()
    expect(message).to_be_in_viewport()
    expect(phone.locator(".page-head")).to_contain_text("已结束")
    expect(phone.locator(".page-head")).not_to_contain_text("投票中")
    expect(phone.locator("form.ballot-form")).to_have_count(0)
    assert phone.url.endswith(f"/congress/polls/{poll_id}")  # swapped in place, not a new page
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    shoot(phone, "refusal-vote-after-close", widths=(375,))
    with e2e_app.app_context():
        assert db.session.scalar(select(Participation.user_id).where(Participation.poll_id == poll_id)) is None
    assert not problems.items, problems.items
    ctx.close()


def test_a_refusal_by_permission_is_shown_not_swallowed(browser, live_server, session_cookie, e2e_app):
    """rep2 has the ballot open when the union records that rep2 left the congress: the vote
    is refused by the permission (403), and the phone shows the refusal in the page."""
    poll_id = _open_poll(e2e_app, "关于调整课后服务时间的表决")
    ctx, phone, problems = _phone(browser, live_server, session_cookie, "rep2")
    phone.goto(f"/congress/polls/{poll_id}")
    phone.get_by_label("反对").check()
    with e2e_app.app_context():
        s = db.session
        rep = s.scalar(select(Representative).where(Representative.user_id == _user(s, "rep2").id,
                                                    Representative.left_on.is_(None)))
        roster.record_leave(s, _user(s, "union"), rep, to_local(utcnow()).date() - timedelta(days=1))
        s.commit()
    phone.get_by_role("button", name="投票", exact=True).click()
    expect(phone.locator("#main")).to_contain_text("无权访问")
    expect(phone.locator("form.ballot-form")).to_have_count(0)
    shoot(phone, "refusal-permission", widths=(375,))
    assert [p for p in problems.items if "status of 403" not in p] == [], problems.items
    ctx.close()


def test_an_expired_form_on_a_form_with_hx_select_shows_the_kept_text(browser, live_server, session_cookie):
    """A form that picks its own part out of the answer (hx-select) still shows an error page
    the server sends to the main region: the CSRF page with what was typed, not an empty page."""
    context = new_context(browser, live_server, viewport=dict(PHONE))
    context.add_cookies([session_cookie("admin")])
    page = context.new_page()
    problems = PageProblems(page)
    page.goto("/admin/departments")
    page.get_by_label("名称").fill("心理健康教育中心")
    # The token went stale (another tab signed out): both places htmx and the form send it.
    page.evaluate("""() => {
        document.body.setAttribute("hx-headers", JSON.stringify({"X-CSRFToken": "stale"}));
        document.querySelector("#department_form input[name=csrf_token]").value = "stale";
    }""")
    page.get_by_role("button", name="添加").click()
    expect(page.get_by_role("heading", name="页面已过期，请再提交一次")).to_be_visible()
    expect(page.locator("#main input[value='心理健康教育中心']")).to_have_count(1)
    shoot(page, "refusal-csrf-hx-select", widths=(375,))
    assert [p for p in problems.items if "status of 400" not in p] == [], problems.items
    context.close()
