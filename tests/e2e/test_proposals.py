"""A proposal's whole life in the browser, each step by its own demo user on a phone-sized
screen, each finding the step on their dashboard; and a consultation from publication to
its adoption summary."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Browser, expect

from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.e2e.conftest import PageProblems, new_context, shoot

TITLE = "关于在教学楼增设教师饮水间的建议"
PHONE = {"width": 375, "height": 800}


class As:
    """A demo user's phone, checked for browser errors when put down."""

    def __init__(self, browser: Browser, live_server, session_cookie, username: str) -> None:
        self.context = new_context(browser, live_server, viewport=dict(PHONE))
        self.context.add_cookies([session_cookie(username)])
        self.page = self.context.new_page()
        self.problems = PageProblems(self.page)

    def __enter__(self):
        return self.page

    def __exit__(self, *exc) -> None:
        assert not self.problems.items, self.problems.items
        self.context.close()


def _todo(page, pattern: str) -> None:
    page.goto("/")
    page.get_by_role("link", name=re.compile(pattern)).first.click()


def test_proposal_from_draft_to_final_rating(browser, live_server, session_cookie):
    phone = lambda who: As(browser, live_server, session_cookie, who)  # noqa: E731
    with phone("rep1") as page:
        page.goto("/proposals")
        page.get_by_role("link", name="提出提案").click()
        page.get_by_label("提案标题").fill("教师午休室")
        expect(page.locator("#similar")).to_contain_text("增设教师午休室")  # the demo's own, found while typing
        page.get_by_label("提案标题").fill(TITLE)
        page.get_by_label("类别").select_option("welfare")
        page.get_by_label("案由").fill("教学楼每层只有一个饮水点，课间老师和学生一起排队，老师常常来不及喝水。")
        page.get_by_label("建议措施").fill("在每层教师办公室旁增设饮水间，配置净水设备。")
        expect(page.locator("#similar")).to_contain_text("关于增设饮水点的建议")  # the demo's near-duplicate
        shoot(page, "proposal-draft", widths=(375,))
        page.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_text("草稿已保存")).to_be_visible()
        proposal_url = page.url
        for invitee in ("rep2", "rep3"):
            page.get_by_label("邀请代表附议").select_option(label=_option(live_server, invitee))
            page.get_by_role("button", name="发出邀请").click()
            expect(page.get_by_text("已发出附议邀请。")).to_be_visible()
        page.get_by_role("button", name="提交审查").click()
        expect(page.get_by_text("至少需要 2 位代表附议，目前只有 0 位")).to_be_visible()
    for cosigner in ("rep2", "rep3"):
        with phone(cosigner) as page:
            page.goto("/inbox")  # the inbox says so too
            expect(page.locator("main")).to_contain_text("邀请您附议提案“" + TITLE + "”")
            _todo(page, "请附议提案：" + TITLE)
            page.get_by_role("button", name="附议", exact=True).click()
            expect(page.get_by_text("已附议。", exact=True)).to_be_visible()
    with phone("rep1") as page:
        page.goto(proposal_url)
        page.get_by_role("button", name="提交审查").click()
        expect(page.get_by_text("已提交提案工作委员会审查。")).to_be_visible()
    with phone("union") as page:
        _todo(page, "件提案待审查")
        page.get_by_role("link", name=TITLE).click()
        shoot(page, "proposal-review", widths=(375,))
        page.get_by_label("审查意见").select_option("accept")
        page.get_by_role("button", name="提交审查意见").click()
        expect(page.get_by_text("审查意见已记录。")).to_be_visible()
        page.get_by_label("承办部门").select_option(label="总务处")
        page.get_by_label("办理期限").fill((to_local(utcnow()).date() + timedelta(days=20)).isoformat())
        page.get_by_role("button", name="交办", exact=True).click()
        expect(page.get_by_text("已交办。")).to_be_visible()
    for round_, (cls, text) in enumerate([("planned", "已列入寒假维修计划。"), ("solved", "本月内每层增设饮水间，已完成安装。")]):
        with phone("handler1") as page:
            page.goto("/inbox")
            expect(page.locator("main")).to_contain_text("交由贵部门承办" if round_ == 0 else "再次办理答复")
            _todo(page, "请答复提案：" + TITLE)
            if round_:
                shoot(page, "proposal-second-round", widths=(375,))
            page.get_by_label("答复类别").select_option(cls)
            page.get_by_label("答复说明").fill(text)
            page.get_by_role("button", name="提交答复").click()
            expect(page.get_by_text("答复已提交")).to_be_visible()
        with phone("rep1") as page:
            _todo(page, "请评价提案答复：" + TITLE)
            page.get_by_label("对答复的评价").select_option("dissatisfied" if round_ == 0 else "satisfied")
            page.get_by_role("button", name="提交评价").click()
            expect(page.get_by_text("评价已记录。")).to_be_visible()
            if round_ == 0:
                expect(page.locator("#do-h, .proposal-facts")).to_have_count(1)
                expect(page.get_by_text("办理中")).to_be_visible()
    with phone("rep1") as page:
        page.goto(proposal_url)
        expect(page.locator(".proposal-facts")).to_contain_text("已办结")
        expect(page.get_by_text("提案人评价：不满意")).to_be_visible()
        expect(page.get_by_text("提案人评价：满意")).to_be_visible()
        expect(page.get_by_role("heading", name="评价答复")).to_have_count(0)  # final
        shoot(page, "proposal-closed")
    with phone("staff1") as page:  # staff see it on the register
        page.goto("/proposals?status=closed")
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()
        shoot(page, "proposal-register")


def _option(live_server, username: str) -> str:
    """How the invitation select names a representative: name and staff number."""
    from sqlalchemy import select

    from portal.auth.models import User

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return f"{user.name}（{user.staff_no}）"


def test_consultation_from_publication_to_adoption_summary(browser, live_server, session_cookie):
    title = "《教职工请假与调课办法（草案）》征求意见"
    phone = lambda who: As(browser, live_server, session_cookie, who)  # noqa: E731
    with phone("union") as page:
        page.goto("/consultations")
        page.get_by_role("link", name="发起征求意见").click()
        page.get_by_label("标题").fill(title)
        page.get_by_label("征求意见稿").fill("## 第一条\n\n教职工请假一天以内由年级组长批准。")
        page.get_by_label("征求意见范围").select_option("staff")
        page.get_by_label("截止日期").fill(to_local(utcnow()).date().isoformat())
        page.get_by_role("button", name="保存草稿").click()
        expect(page.get_by_text("草稿已保存")).to_be_visible()
        page.get_by_role("button", name="发布征求意见").click()
        expect(page.get_by_text("已发布，征求意见开始。")).to_be_visible()
        url = page.url
    with phone("teacher1") as page:
        _todo(page, "征求意见：" + re.escape(title))
        page.get_by_label("意见或建议").fill("建议半天以内的调课由教研组长批准。")
        page.get_by_label("匿名提出").check()
        page.get_by_role("button", name="提交意见").click()
        expect(page.get_by_text("意见已提交")).to_be_visible()
        expect(page.locator("#thread")).to_contain_text("匿名")
    # the window closes (at the end of its last day): moved to a minute ago
    from sqlalchemy import select, update

    from portal.auth.models import User
    from portal.consultations.models import Consultation

    with live_server.app.app_context():
        commenter = db.session.scalar(select(User.name).where(User.username == "teacher1"))
        db.session.execute(update(Consultation).where(Consultation.title == title)
                           .values(closes_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    with phone("union") as page:
        page.goto(url)
        expect(page.locator("#organiser")).to_contain_text("还有 1 条意见未标注")
        page.get_by_role("button", name="公布采纳情况").click()
        expect(page.locator("#organiser")).to_contain_text("还有 1 条意见未标注采纳情况，请逐条标注后再公布")
        expect(page.locator("#thread")).to_contain_text("匿名")  # to the organiser too (issue 21.9)
        expect(page.locator("#thread")).not_to_contain_text("仅组织者可见")
        expect(page.locator("#thread")).not_to_contain_text(commenter)
        shoot(page, "consultation-marking", widths=(375,))
        page.locator(".mark-form select").select_option("adopted")
        page.locator(".mark-form textarea").fill("已改为半天以内由教研组长批准。")
        page.get_by_role("button", name="标注").click()
        expect(page.locator("#thread")).to_contain_text("已改为半天以内")
        page.reload()
        page.get_by_role("button", name="公布采纳情况").click()
        expect(page.get_by_text("采纳情况已公布。")).to_be_visible()
    with phone("teacher2") as page:
        page.goto(url)
        expect(page.locator("#summary")).to_contain_text("采纳")
        expect(page.locator("#thread")).to_contain_text("已改为半天以内由教研组长批准。")
        expect(page.locator("#thread")).not_to_contain_text("仅组织者可见")
        shoot(page, "consultation-summary")
