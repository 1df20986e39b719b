"""Disclosure in the browser: a school-affairs notice from draft to published by two people,
an objection during the 公示 and its answer, and what an anonymous visitor can reach."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import PageProblems, new_context, shoot

TITLE = "关于推荐 2026 年度区级优秀班主任人选的公示"


def _as(browser: Browser, live_server, session_cookie, username: str, width: int = 1366):
    context = new_context(browser, live_server, viewport={"width": width, "height": 900})
    context.add_cookies([session_cookie(username)])
    page = context.new_page()
    problems = PageProblems(page)
    return context, page, problems


def test_notice_workflow_objection_and_answer(browser, live_server, session_cookie):
    # 1. leader1 drafts a school-affairs notice with a 公示 period and submits it.
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader1")
    page.goto("/notices/workspace")
    page.get_by_role("link", name="新建公开事项").click()
    page.get_by_label("公开目录").select_option(label="校务公开 · 评优评先")
    page.get_by_label("公开范围").select_option("staff")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill("经年级组推荐、校务会研究，拟推荐：\n\n- 七年级组 王老师\n- 八年级组 李老师")
    page.get_by_label("公示期（工作日，0 表示不公示）").fill("5")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    shoot(page, "disclosure-draft")
    page.locator("form[action$='/submit'] button").last.click()
    expect(page.get_by_text("已提交审批。")).to_be_visible()
    notice_url = page.url
    assert re.search(r"/notices/\d+$", notice_url)
    assert not problems.items, problems.items
    ctx.close()

    # 2. The principal (a different person) approves and publishes it.
    ctx, page, problems = _as(browser, live_server, session_cookie, "principal")
    page.goto("/notices/workspace")
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("button", name="审批通过并发布").click()
    expect(page.get_by_text("已审批并发布。")).to_be_visible()
    expect(page.locator(".gongshi .countdown")).to_contain_text("还剩")
    assert not problems.items, problems.items
    ctx.close()

    # 3. A teacher objects during the 公示 (htmx swaps the section in place).
    ctx, page, problems = _as(browser, live_server, session_cookie, "teacher1", width=375)
    page.goto(notice_url)
    page.get_by_label("异议内容").fill("推荐人选的班主任年限未公布，建议补充。")
    page.get_by_role("button", name="提交异议").click()
    objections = page.locator("#objections")
    expect(objections).to_contain_text("推荐人选的班主任年限未公布")
    expect(objections).to_contain_text("等待发布单位答复")
    shoot(page, "disclosure-objection", widths=(375,))
    assert not problems.items, problems.items
    ctx.close()

    # 4. The publisher answers; the answer shows under the objection for everyone.
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader1")
    page.goto(notice_url)
    page.locator("#objections textarea").first.fill("两位老师均担任班主任 8 年以上，已在附件中补充。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("#objections .answer")).to_contain_text("担任班主任 8 年以上")
    assert not problems.items, problems.items
    ctx.close()

    ctx, page, problems = _as(browser, live_server, session_cookie, "teacher1")
    page.goto(notice_url)
    expect(page.locator("#objections")).to_contain_text("推荐人选的班主任年限未公布")
    expect(page.locator("#objections .answer")).to_contain_text("担任班主任 8 年以上")
    shoot(page, "disclosure-answered")
    assert not problems.items, problems.items
    ctx.close()


def test_anonymous_reads_public_notices_but_not_staff_ones(browser, live_server, page):
    page.goto("/notices/school")
    page.get_by_role("link", name="2026 年秋季学期收费项目与标准（更正）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年秋季学期收费项目与标准（更正）")
    expect(page.locator("img.qr")).to_be_visible()
    expect(page.get_by_text("修改记录")).to_be_visible()  # the first version stays readable
    shoot(page, "disclosure-public-notice")
    staff_only = page.request.get("/notices/school")  # the list carries no staff-only titles
    assert "拟任中层干部" not in staff_only.text()
    # A staff-only notice sends the visitor to the login page instead.
    ctx_user = page.context
    page.goto("/")
    link = page.get_by_role("link", name="中共阳光实验学校委员会委员分工")
    expect(link).to_be_visible()
    page.goto(_staff_only_url(live_server))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("请先登录。")).to_be_visible()
    assert ctx_user is page.context


def _staff_only_url(live_server) -> str:
    from sqlalchemy import select

    from portal.disclosure.models import Notice
    from portal.extensions import db

    with live_server.app.app_context():
        notice_id = db.session.scalar(select(Notice.id).where(Notice.title == "关于拟任中层干部人选的公示"))
    return f"/notices/{notice_id}"
