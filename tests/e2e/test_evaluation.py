"""Democratic evaluation in the browser: the union sets one up and opens it, representatives
rate on a phone, the union closes it, the secretary reads the aggregates."""
from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import PageProblems, new_context, shoot

TITLE = "2026 年度领导班子成员民主评议"


def _as(browser: Browser, live_server, session_cookie, username: str, width: int = 1366):
    context = new_context(browser, live_server, viewport={"width": width, "height": 900})
    context.add_cookies([session_cookie(username)])
    page = context.new_page()
    return context, page, PageProblems(page)


def test_an_evaluation_from_setting_up_to_its_results(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "union")
    page.goto("/evaluations/")
    page.get_by_role("link", name="新建民主评议").click()
    page.get_by_label("评议名称").fill(TITLE)
    page.get_by_label("评议期间").fill("2026 年度")
    page.get_by_label("陈立新（校长、副书记）").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    url = page.url
    page.get_by_role("button", name="开始评议").click()
    expect(page.get_by_text("评议已开始。")).to_be_visible()
    expect(page.get_by_text("应参加 40 人。")).to_be_visible()
    ctx.close()

    for i in range(1, 6):
        ctx, page, problems = _as(browser, live_server, session_cookie, f"rep{i}", width=375)
        page.goto("/")
        page.get_by_role("link", name=f"民主评议“{TITLE}”等待您参加").click()
        assert page.url == url
        page.get_by_text("优秀" if i % 2 else "称职", exact=True).first.click()
        page.get_by_role("button", name="提交评议").click()
        expect(page.get_by_text("评议已提交，谢谢参加。")).to_be_visible()
        if i == 1:
            shoot(page, "evaluation-rep-rated", widths=(375,))
        assert not problems.items, problems.items
        ctx.close()

    ctx, page, problems = _as(browser, live_server, session_cookie, "secretary")
    page.goto(url)
    expect(page.get_by_text("评议结果")).to_have_count(0)  # nothing before close
    ctx.close()

    ctx, page, problems = _as(browser, live_server, session_cookie, "union")
    page.goto(url)
    page.get_by_role("button", name="结束评议并统计").click()
    expect(page.get_by_text("评议已结束，结果已统计。")).to_be_visible()
    row = page.locator("tbody tr").filter(has_text="陈立新")
    expect(row).to_contain_text("3")  # 优秀 from rep1, rep3, rep5
    expect(row).to_contain_text("100.0%")
    shoot(page, "evaluation-results")
    assert not problems.items, problems.items
    ctx.close()


def test_the_demo_small_evaluation_shows_no_breakdown(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "secretary", width=375)
    page.goto("/evaluations/")
    page.get_by_role("link", name="2025 年新任中层干部试用期满评议（教务处）").click()
    expect(page.get_by_text("评议人数不足 5 人，不显示结果。")).to_be_visible()
    page.goto("/evaluations/")
    page.get_by_role("link", name="2025 年度领导班子成员民主评议").click()
    expect(page.get_by_text("实参加 36 人。")).to_be_visible()
    shoot(page, "evaluation-demo-annual", widths=(375, 1366))
    assert not problems.items, problems.items
    ctx.close()
