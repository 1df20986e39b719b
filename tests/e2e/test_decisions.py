"""A Party meeting run in the browser by the rules: an item proposed with evidence that staff
were heard, agreed by the secretary and the principal, put on the agenda, stances recorded in
order (the principal second to last, the secretary last), a show-of-hands vote with the rule
and its figures, a resolution; the principal reports, the tracker shows it on time; time
passes and it shows late; the secretary urges; the report to the congress prints."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from portal.decisions.models import Report, Resolution
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.e2e.conftest import ARTIFACTS, PageProblems, new_context, shoot

TITLE = "关于开设教职工子女暑期托管班的议题"
RESOLUTION = "开设教职工子女暑期托管班"


def _as(browser: Browser, live_server, session_cookie, username: str, width: int = 1366):
    context = new_context(browser, live_server, viewport={"width": width, "height": 900})
    context.add_cookies([session_cookie(username)])
    page = context.new_page()
    return context, page, PageProblems(page)


def _done(ctx, problems) -> None:
    assert not problems.items, problems.items
    ctx.close()


def test_a_party_meeting_by_the_rules_to_the_tracker_and_the_congress_report(browser, live_server, session_cookie,
                                                                             e2e_app):
    today = to_local(utcnow()).date()

    # leader1 proposes an item touching staff interests and records the congress vote
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader1", width=375)
    page.goto("/decisions/items/new")
    page.get_by_label("会议类别").select_option("party")
    page.get_by_label("议题名称").fill(TITLE)
    page.get_by_label("建议决定").fill("暑期开设托管班，每期四周，由工会组织。")
    page.get_by_label("涉及教职工切身利益", exact=True).check()
    page.get_by_role("button", name="提出").click()
    expect(page.get_by_text("议题已提出。")).to_be_visible()
    expect(page.get_by_text("尚缺以下前置程序")).to_be_visible()
    page.get_by_label("记录类别").select_option("congress_vote")
    page.get_by_label("名称或编号").fill("第五届教代会第三次会议表决通过")
    page.get_by_label("日期", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="保存记录").click()
    expect(page.get_by_text("记录已保存。")).to_be_visible()
    item_url = page.url
    shoot(page, "decisions-item-proposed", widths=(375,))
    _done(ctx, problems)

    # the secretary and the principal each record their view
    for who in ("secretary", "principal"):
        ctx, page, problems = _as(browser, live_server, session_cookie, who)
        page.goto(item_url)
        page.get_by_label("意见", exact=True).select_option("yes")
        page.get_by_role("button", name=re.compile("记录我的意见")).click()
        expect(page.get_by_text("意见已记录。")).to_be_visible()
        _done(ctx, problems)

    # the secretary plans the meeting, settles the agenda and sends the papers
    ctx, page, problems = _as(browser, live_server, session_cookie, "secretary")
    page.goto(item_url)
    expect(page.get_by_text("前置程序已完成，可以列入议程。")).to_be_visible()
    page.goto("/decisions/meetings/new")
    page.get_by_label("会议类别").select_option("party")
    page.get_by_label("会议名称").fill("党委会（临时）")
    page.get_by_label("会议日期").fill(today.isoformat())
    page.get_by_label("开始时间").fill("23:30")
    page.get_by_label("记录员").select_option(label="赵国庆")
    page.get_by_label("监督员").select_option(label="郑玉兰")
    page.get_by_role("button", name="安排").click()
    expect(page.get_by_text("会议已安排。")).to_be_visible()
    meeting_url = page.url.split("#")[0]
    page.get_by_label("议题", exact=True).select_option(label=TITLE)
    page.get_by_role("button", name="列入议程").click()
    expect(page.get_by_text("议题已列入议程。")).to_be_visible()
    page.get_by_role("button", name="确定议程").click()
    page.get_by_role("button", name="送达会议材料").click()
    expect(page.get_by_text("会议材料已送达参会人员。")).to_be_visible()
    expect(page.get_by_text("晚于议事规则规定的提前 2 天")).to_be_visible()  # sent on the day
    _done(ctx, problems)

    # the recorder records the stances in order; the secretary's turn comes last
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader3")
    page.goto(meeting_url)
    expect(page.locator("#mt-att").locator("..")).to_contain_text("应到 7 人，实到 7 人")
    order = page.locator("#stance-form select[name=user_id] option:checked")
    spoken = []
    for _ in range(7):
        spoken.append(order.inner_text())
        page.get_by_label("表态", exact=True).select_option("agree")
        page.locator("#stance-form textarea[name=reason]").fill("同意，方案经过充分论证。")
        page.get_by_role("button", name="记录表态").click()
        expect(page.get_by_text("表态已记录。")).to_be_visible()
    assert spoken[-2:] == ["陈立新", "周建华"], spoken  # 末位表态: principal, then secretary
    page.get_by_label("表决方式").select_option("hands")
    page.get_by_label("赞成", exact=True).fill("7")
    page.get_by_label("反对", exact=True).fill("0")
    page.get_by_label("弃权", exact=True).fill("0")
    page.get_by_role("button", name="记录表决结果").click()
    expect(page.get_by_text("表决结果：通过。")).to_be_visible()
    expect(page.locator("#mt-results").locator("..")).to_contain_text("赞成 7 票（至少需 4 票）")
    page.get_by_label("议题", exact=True).select_option(label=TITLE)
    page.get_by_label("决议名称").fill(RESOLUTION)
    page.get_by_label("责任人").select_option(label="陈立新")
    page.get_by_label("完成期限").fill((today + timedelta(days=180)).isoformat())
    page.get_by_label("公开范围").select_option("staff")
    page.get_by_label("报告频次").select_option("monthly")
    page.get_by_role("button", name="形成决议").click()
    expect(page.get_by_text("决议已形成。")).to_be_visible()
    shoot(page, "decisions-meeting-decided")
    _done(ctx, problems)

    # the principal reports; the tracker shows it on time
    ctx, page, problems = _as(browser, live_server, session_cookie, "principal", width=375)
    page.goto("/tracker")
    page.get_by_role("link", name=RESOLUTION).click()
    page.get_by_label("执行情况", exact=True).fill("已确定场地和带班教师，报名 46 人。")
    page.get_by_label("完成进度（%）").fill("30")
    page.get_by_role("button", name="提交报告").click()
    expect(page.get_by_text("执行情况报告已提交。")).to_be_visible()
    resolution_url = page.url
    page.goto("/tracker")
    row = page.locator("tr", has_text=RESOLUTION)
    expect(row).to_contain_text("按期推进")
    _done(ctx, problems)

    # two months pass without a report: the tracker flags it
    with e2e_app.app_context():
        res = db.session.scalar(select(Resolution).where(Resolution.title == RESOLUTION))
        for report in db.session.scalars(select(Report).where(Report.resolution_id == res.id)):
            report.filed_on -= timedelta(days=62)
        res.starts_on -= timedelta(days=62)
        res.decided_on -= timedelta(days=62)
        db.session.commit()

    ctx, page, problems = _as(browser, live_server, session_cookie, "secretary")
    page.goto("/tracker")
    row = page.locator("tr", has_text=RESOLUTION)
    expect(row).to_contain_text("报告逾期")
    shoot(page, "decisions-tracker-late")
    page.goto(resolution_url)
    page.get_by_label("内容", exact=True).fill("请于本周内报告托管班开班情况。")
    page.get_by_role("button", name="催报", exact=True).click()
    expect(page.get_by_text("已催报，责任人将收到提醒。")).to_be_visible()
    expect(page.get_by_text("催报 1 次")).to_be_visible()

    # the report to the congress compiles and prints
    page.goto("/decisions/congress-report")
    expect(page.get_by_role("heading", name=RESOLUTION)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("heading", name="关于教职工切身利益相关决议执行情况的报告")).to_be_visible()
    page.pdf(path=ARTIFACTS / "decisions-congress-report.pdf", format="A4")
    page.emulate_media(media="screen")
    shoot(page, "decisions-congress-report")
    _done(ctx, problems)

    # the principal's inbox was told about the urging
    ctx, page, problems = _as(browser, live_server, session_cookie, "principal")
    page.goto("/inbox")
    expect(page.get_by_text(re.compile(f"书记催报.*{RESOLUTION}"))).to_be_visible()

    # ...and compiles the report for a session of the congress, where it stays as attached
    page.goto("/decisions/congress-report")
    page.get_by_label("提交哪次教代会会议").select_option(index=1)
    page.get_by_role("button", name="汇编并附到会议").click()
    expect(page.get_by_text(re.compile("报告已附到第 \\d+ 次会议。"))).to_be_visible()
    expect(page.get_by_role("heading", name=RESOLUTION)).to_be_visible()
    page.emulate_media(media="print")
    page.pdf(path=ARTIFACTS / "congress-session-report.pdf", format="A4")
    page.emulate_media(media="screen")
    shoot(page, "congress-session-report")
    page.get_by_role("link", name=re.compile("第 \\d+ 次会议")).first.click()
    expect(page.get_by_role("link", name="关于教职工切身利益相关决议执行情况的报告")).to_be_visible()
    _done(ctx, problems)
