"""Approval never dead-ends: the principal's own school-affairs notice goes to the secretary."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import PageProblems, new_context, shoot

TITLE = "关于调整教职工午餐补贴标准的通知"


def _as(browser: Browser, live_server, session_cookie, username: str, width: int = 1366):
    context = new_context(browser, live_server, viewport={"width": width, "height": 900})
    context.add_cookies([session_cookie(username)])
    page = context.new_page()
    return context, page, PageProblems(page)


def test_the_principal_drafts_and_submits_the_secretary_publishes(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "principal")
    page.goto("/notices/new")
    page.get_by_label("公开目录").select_option(label="校务公开 · 发展规划、年度计划与总结")
    page.get_by_label("公开范围").select_option("staff")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill("经校长办公会议研究，自下月起午餐补贴调整为每人每天 15 元。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    page.locator("form[action$='/submit'] button").last.click()
    expect(page.get_by_text("已提交审批。")).to_be_visible()
    notice_url = page.url
    # The author is not offered the approval button on their own notice.
    expect(page.get_by_role("button", name="审批通过并发布")).to_have_count(0)
    assert not problems.items, problems.items
    ctx.close()

    ctx, page, problems = _as(browser, live_server, session_cookie, "secretary", width=375)
    page.goto("/")
    page.get_by_role("link", name=re.compile("条公开事项待您审批")).click()
    page.get_by_role("link", name=TITLE).first.click()
    assert page.url == notice_url
    page.get_by_role("button", name="审批通过并发布").click()
    expect(page.get_by_text("已审批并发布。")).to_be_visible()
    expect(page.locator(".notice-head")).to_contain_text("周建华")  # the secretary approved it
    shoot(page, "approval-secretary-published", widths=(375,))
    assert not problems.items, problems.items
    ctx.close()
