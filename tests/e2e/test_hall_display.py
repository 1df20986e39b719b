"""The hall display fits its screen (issue 21.3): at 1920×1080, 1280×720 and a portrait
1080×1920 nothing falls outside the viewport, with the sign-in code showing, a long poll title
and an election of sixty candidates; "可投票" counts the representatives signed in."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.congress.models import CongressTerm
from portal.congress.rules import polls, sessions
from portal.timeutil import to_local, utcnow
from tests.conftest import ON_POSTGRES
from tests.e2e.conftest import PageProblems, in_app, new_context, overflow, user

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the browser runs once, on SQLite")

SHOTS = Path("/tmp/shots-inuse")
SCREENS = {"1920x1080": (1920, 1080), "1280x720": (1280, 720), "1080x1920": (1080, 1920)}
LONG_TITLE = ("关于《阳光实验学校教职工绩效工资分配方案（2027年修订稿）》及其配套的《班主任津贴发放办法》"
              "《超课时补贴计算细则》和《校内岗位聘任与考核实施意见》的表决")


def _fits(page: Page, label: str) -> None:
    for name, (w, h) in SCREENS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(150)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"hall-{label}-{name}.png"))
        assert overflow(page, "#hall-state", screen=True, panel="section") == [], (label, name)


def test_the_hall_display_fits_every_screen(browser: Browser, live_server, e2e_app):
    def setup(s):
        union = user(s, "union")
        term = s.scalar(select(CongressTerm).where(CongressTerm.is_current.is_(True)))
        cs = sessions.create_session(s, union, term, to_local(utcnow()).date(), "学校报告厅（东楼三层）",
                                     "一、表决\n二、选举", requires_hall_code=True, work_report_required=False)
        sessions.open_session(s, union, cs)
        for i in range(1, 31):
            sessions.record_presence(s, union, cs, user(s, f"rep{i}"), "in", "纸质签到")
        names = tuple(f"候选人{i:02d}号欧阳" for i in range(1, 61))
        election = polls.create_poll(s, union, cs, polls.PollSpec(
            title="选举第五届教代会各专门工作委员会委员（提案工作、福利保障、教学发展、民主评议、经费审查）",
            kind="election", secret=True, seats=15, candidates=names, rule_num=1, rule_den=2, rule_strict=True))
        polls.open_poll(s, union, election)
        codes = [c.code for c in election.candidates]
        for i in range(1, 29):
            polls.cast_vote(s, user(s, f"rep{i}"), election, codes[(i % 4) * 15:(i % 4) * 15 + 15])
        polls.close_poll(s, union, election)
        return cs.display_token

    token = in_app(e2e_app, setup)
    context = new_context(browser, live_server, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(f"/congress/hall/{token}")
    expect(page.locator(".hall-code img")).to_be_visible()
    expect(page.locator(".hall-poll .counts li")).to_have_count(60)
    _fits(page, "election-60")

    def motion(s):
        from portal.congress.models import CongressSession
        cs = s.scalar(select(CongressSession).where(CongressSession.display_token == token))
        poll = polls.create_poll(s, user(s, "union"), cs, polls.PollSpec(title=LONG_TITLE[:120]))
        polls.open_poll(s, user(s, "union"), poll)
        for i in range(1, 6):
            polls.cast_vote(s, user(s, f"rep{i}"), poll, "yes")
        sessions.record_presence(s, user(s, "union"), cs, user(s, "rep30"), "out", "离场")
    in_app(e2e_app, motion)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.reload()
    # 可投票 counts those signed in now (29 of the 30 who were), not the roster of 40.
    expect(page.locator(".hall-poll .big")).to_have_text("5 / 29")
    expect(page.locator(".hall-poll")).to_contain_text("应到 40 人")
    _fits(page, "motion-long-title")
    assert not problems.items, problems.items
    context.close()
