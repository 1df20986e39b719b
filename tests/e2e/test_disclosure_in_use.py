"""Disclosure as a new user finds it in a browser (issue 7 items 12–16): confirmations where
the reader is looking, forms that follow the catalogue, focus that is not lost, print, phone
widths, and who is offered which form."""
from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, expect

from portal.seed.demo import DEPARTMENTS
from tests.e2e.conftest import PageProblems, new_context, shoot

PAY = "关于 2026 年度奖励性绩效工资分配方案（征求意见稿）的公示"  # in its 公示: leader4 wrote it, principal approved it
PLAN = "阳光实验学校 2026—2027 学年工作计划"  # no 公示
ETHICS = "关于开展师德师风专项教育的通知"  # staff must acknowledge; teacher2 has not yet


def _as(browser: Browser, live_server, session_cookie, username: str, width: int = 1366):
    context = new_context(browser, live_server, viewport={"width": width, "height": 900})
    context.add_cookies([session_cookie(username)])
    page = context.new_page()
    return context, page, PageProblems(page)


def _notice_url(live_server, title: str) -> str:
    from sqlalchemy import select

    from portal.disclosure.models import Notice
    from portal.extensions import db

    with live_server.app.app_context():
        notice_id = db.session.scalar(select(Notice.id).where(Notice.title == title, Notice.is_current.is_(True)))
    assert notice_id, title
    return f"/notices/{notice_id}"


# --- 12 ---------------------------------------------------------------------------------------

def test_an_objection_is_confirmed_where_it_was_made_and_not_again_later(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "teacher1", width=375)
    page.goto(_notice_url(live_server, PAY))
    page.get_by_label("异议内容").fill("方案中没有写明见习教师如何计算，请补充。")
    page.get_by_role("button", name="提交异议").click()
    confirmation = page.locator("#objections [role=status]")
    expect(confirmation).to_contain_text("异议已提交")
    expect(confirmation).to_be_in_viewport()
    expect(page.locator("#objections")).to_contain_text("见习教师如何计算")
    shoot(page, "in-use-objection-confirmed", widths=(375,))
    page.goto("/notices/school")  # the next page she opens says nothing more about it
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("异议已提交")).to_have_count(0)
    assert not problems.items, problems.items
    ctx.close()


# --- 13 ---------------------------------------------------------------------------------------

def test_a_notice_without_gongshi_ends_without_an_empty_box(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "teacher1")
    page.goto(_notice_url(live_server, PLAN))
    expect(page.get_by_role("heading", level=1)).to_have_text(PLAN)
    expect(page.locator("#objections")).to_have_count(0)
    empty_cards = page.evaluate("() => [...document.querySelectorAll('.card')].filter(c => !c.innerText.trim()).length")
    assert empty_cards == 0
    assert not problems.items, problems.items
    ctx.close()


# --- 14 ---------------------------------------------------------------------------------------

def test_choosing_a_catalogue_item_fills_in_its_defaults_and_keeps_the_text(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader3")
    page.goto("/notices/new")
    page.get_by_label("标题").fill("关于拟任年级组长人选的公示")
    page.get_by_label("正文").fill("经民主推荐，拟任命：\n\n- 七年级组 王老师")
    expect(page.get_by_label("公开范围")).to_have_value("")  # nobody has chosen yet
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true" and "/notices/new" in r.url):
        page.get_by_label("公开目录").select_option(label="校务公开 · 干部任免")
    expect(page.get_by_label("公开范围")).to_have_value("staff")
    expect(page.get_by_label("公示期（工作日，0 表示不公示）")).to_have_value("5")
    note = page.locator("#item-defaults-note")
    expect(note).to_contain_text("干部任免")
    expect(note).to_contain_text("校内公开")
    expect(note).to_contain_text("5")
    expect(page.get_by_label("标题")).to_have_value("关于拟任年级组长人选的公示")
    expect(page.get_by_label("正文")).to_have_value(re.compile("七年级组 王老师"))
    shoot(page, "in-use-item-defaults")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    expect(page.get_by_label("公开范围")).to_have_value("staff")
    expect(page.get_by_label("公示期（工作日，0 表示不公示）")).to_have_value("5")
    assert not problems.items, problems.items
    ctx.close()


# --- 15 ---------------------------------------------------------------------------------------

def test_keyboard_focus_moves_to_the_confirmation_after_acknowledging(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "teacher2")
    page.goto(_notice_url(live_server, ETHICS))
    page.get_by_role("button", name="我已阅读").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ack [role=status]")).to_contain_text("您已确认阅读")
    page.wait_for_function("() => (document.activeElement.textContent || '').includes('您已确认阅读')")
    assert page.evaluate("() => document.activeElement.closest('#ack') !== null")
    assert not problems.items, problems.items
    ctx.close()


def test_keyboard_focus_moves_to_the_objection_confirmation(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "teacher3")
    page.goto(_notice_url(live_server, PAY))
    page.get_by_label("异议内容").fill("请说明测算依据。")
    page.get_by_role("button", name="提交异议").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => (document.activeElement.textContent || '').includes('异议已提交')")
    assert not problems.items, problems.items
    ctx.close()


# --- 16 ---------------------------------------------------------------------------------------

def test_the_acknowledgement_report_lists_departments_in_the_school_order(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "principal")
    page.goto(_notice_url(live_server, ETHICS) + "/acks")
    shown = [t.strip() for t in page.locator("tbody tr td:first-child").all_inner_texts()]
    school_order = [name for name, _ in DEPARTMENTS]
    assert [d for d in shown if d in school_order] == [d for d in school_order if d in shown], shown
    assert shown[:3] == ["校长室", "党政办公室", "教务处"], shown
    assert not problems.items, problems.items
    ctx.close()


def test_a_printed_notice_shows_the_closing_date_not_a_countdown(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "teacher1")
    page.goto(_notice_url(live_server, PAY))
    expect(page.locator(".gongshi .countdown")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".gongshi .countdown")).to_be_hidden()
    closing = page.locator(".gongshi .print-only")
    expect(closing).to_be_visible()
    expect(closing).to_contain_text(re.compile(r"公示截止.*\d{4}年\d{1,2}月\d{1,2}日"))
    shoot(page, "in-use-print", widths=(1366,))
    page.emulate_media(media="screen")
    expect(closing).to_be_hidden()
    assert not problems.items, problems.items
    ctx.close()


def test_approver_and_author_are_not_offered_an_objection_and_cannot_lodge_one(browser, live_server, session_cookie):
    url = _notice_url(live_server, PAY)
    for who in ("principal", "leader4"):  # approved it; wrote it
        ctx, page, problems = _as(browser, live_server, session_cookie, who)
        page.goto(url)
        expect(page.locator("#objections")).to_contain_text("异议与答复")
        expect(page.get_by_role("heading", name="提出异议")).to_have_count(0)
        expect(page.get_by_label("异议内容")).to_have_count(0)
        token = json.loads(page.locator("body").get_attribute("hx-headers") or "{}")["X-CSRFToken"]
        refused = page.request.post(url + "/objections", form={"body": "自己对自己提异议"},
                                    headers={"X-CSRFToken": token}, max_redirects=0)
        assert refused.status == 403, (who, refused.status)
        page.goto(url)
        expect(page.locator("#objections")).not_to_contain_text("自己对自己提异议")
        assert not problems.items, problems.items
        ctx.close()


def test_a_link_whose_javascript_address_was_removed_is_plain_text(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader1")
    page.goto("/notices/new")
    with page.expect_response(lambda r: "/notices/preview" in r.url):
        page.get_by_label("正文").fill("请看[这里](javascript:alert(1))和[学校主页](https://example.org/)。")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("请看这里和学校主页。")
    expect(preview.locator("a")).to_have_count(1)
    expect(preview.get_by_role("link", name="学校主页")).to_have_attribute("href", "https://example.org/")
    assert not problems.items, problems.items
    ctx.close()


def test_workspace_shows_each_status_at_phone_width_without_sideways_scrolling(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader1", width=375)
    page.goto("/notices/workspace")
    rows = page.locator("section.card tbody tr:not(:has(td.empty))")
    assert rows.count() >= 3
    overflow = page.evaluate("""() => [...document.querySelectorAll('.table-scroll')]
        .filter(s => s.scrollWidth > s.clientWidth + 1).length""")
    assert overflow == 0, "a workspace table scrolls sideways at 375 px"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    for i in range(rows.count()):
        status = rows.nth(i).locator(".status")
        expect(status).to_be_visible()
        box = status.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, (i, box)
    shoot(page, "in-use-workspace")
    assert not problems.items, problems.items
    ctx.close()
