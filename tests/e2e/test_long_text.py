"""Long unbroken Latin runs (a URL, a formula) wrap everywhere at 375 px (issue 21.8): in a
proposal's title on its page and in the register (whose status column stays on screen), and
in a consultation comment. Screenshots go to /tmp/shots-inuse."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from portal.consultations import rules as consultation_rules
from portal.consultations.models import Consultation
from portal.proposals import rules as proposal_rules
from tests.conftest import ON_POSTGRES
from tests.e2e.conftest import PageProblems, in_app, new_context, overflow, user

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the browser runs once, on SQLite")

SHOTS = Path("/tmp/shots-inuse")
RUN = "resources_platform_index_for_all_subjects_and_grades_2027_version_final_v3.html?lang=zh-CN&term=2"
TITLE = f"关于开放教学资源平台{RUN}的建议"[:120]
FORMULA = "E=mc^2+Sum(a_i*b_i)/sqrt(x_1^2+x_2^2+x_3^2+x_4^2+x_5^2+x_6^2+x_7^2+x_8^2+x_9^2)*100%"


def _fits(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"long-{name}-375.png"), full_page=True)
    assert overflow(page, "main", skip=".table-scroll", keep="table.fits-phone") == [], name


def test_long_latin_runs_wrap_at_375(browser: Browser, live_server, session_cookie, e2e_app):
    def setup(s):
        rep1 = user(s, "rep1")
        p = proposal_rules.create_draft(s, rep1, title=TITLE, reason=f"公式 {FORMULA} 的计算结果", measures=RUN,
                                        category="teaching")
        for name in ("rep2", "rep3"):
            proposal_rules.cosign(s, user(s, name), p)
        proposal_rules.submit(s, rep1, p)
        c = s.scalar(select(Consultation).where(Consultation.status == "open").limit(1))
        consultation_rules.comment(s, user(s, "teacher1"), c, f"建议参考 {RUN} 与 {FORMULA}", False)
        return p.id, c.id

    pid, cid = in_app(e2e_app, setup)
    context = new_context(browser, live_server, viewport={"width": 375, "height": 800})
    context.add_cookies([session_cookie("rep1")])
    page = context.new_page()
    problems = PageProblems(page)
    page.goto("/proposals")
    row = page.locator("table.register tr", has_text="教学资源平台")
    expect(row).to_be_visible()
    status = row.locator("td").last
    box = status.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375, box  # the status column stays on screen
    _fits(page, "register")
    page.goto(f"/proposals/{pid}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("教学资源平台")
    _fits(page, "proposal")
    page.goto(f"/proposals/mine")
    _fits(page, "mine")
    page.goto(f"/consultations/{cid}")
    expect(page.locator(".objection-body", has_text="sqrt")).to_be_visible()
    _fits(page, "comment")
    assert not problems.items, problems.items
    context.close()
