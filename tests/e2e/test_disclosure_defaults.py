"""A catalogue item's defaults never overwrite the author's choice (issue 21 item 14), in a
real browser, in the orders a person works in: the audience picked before the item; the
audience changed while the item's defaults are on their way (the answer held back with
page.route, so the race is not left to chance); and changed after they arrived. The
principal publishes all four, reading the audience next to the button, and an anonymous
visitor finds the public ones on the home page, the list and search, and never the others."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.conftest import PageProblems, new_context, shoot

KEYWORD = "默认核对"
RULES_FIRST = f"学校章程修订稿（{KEYWORD}一）"          # staff picked before the item (default public)
AWARDS_RACE = f"区级优秀教师推荐结果（{KEYWORD}二）"     # public picked while the defaults (staff) were on their way
RULES_RACE = f"教职工考勤制度（{KEYWORD}三）"             # staff picked while the defaults (public) were on their way
CADRES_AFTER = f"拟任教研组长人选公示（{KEYWORD}四）"     # public picked after the defaults (staff) arrived
DEFAULTS_ANSWER = re.compile(r"/notices/new\?.*catalog_item_id=")
AUDIENCE = "公开范围"
GONGSHI = "公示期（工作日，0 表示不公示）"
ITEM = "公开目录"


def _as(browser: Browser, live_server, session_cookie, username: str, **options):
    context = new_context(browser, live_server, **options)
    if username:
        context.add_cookies([session_cookie(username)])
    page = context.new_page()
    return context, page, PageProblems(page)


def _defaults_from(page: Page, item: str) -> None:
    """Choose a catalogue item and wait for its defaults to be applied."""
    with page.expect_response(DEFAULTS_ANSWER):
        page.get_by_label(ITEM).select_option(label=item)
    expect(page.locator("#item-defaults-note")).to_be_visible()


def _change_audience_while_the_defaults_are_on_their_way(page: Page, item: str, audience: str) -> None:
    """Hold the defaults' answer, change the audience, then let the answer through: the
    stale answer is dropped and the defaults asked again, naming the audience as chosen."""
    held: list[Route] = []
    holding = [True]
    page.route(DEFAULTS_ANSWER, lambda route: held.append(route) if holding[0] else route.continue_())
    page.get_by_label(ITEM).select_option(label=item)
    while not held:
        page.wait_for_timeout(20)
    page.get_by_label(AUDIENCE).select_option(audience)
    holding[0] = False
    with page.expect_response(lambda r: DEFAULTS_ANSWER.search(r.url) and re.search(r"touched=[^&]*audience", r.url)):
        held[0].continue_()
    page.unroute(DEFAULTS_ANSWER)
    expect(page.locator("#item-defaults-note")).to_contain_text("保留了您已选的设置")


def _save_and_submit(page: Page, title: str) -> str:
    page.get_by_label("标题").fill(title)
    page.get_by_label("正文").fill("详见附件。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    page.locator("form[action$='/submit'] button").last.click()
    expect(page.get_by_text("已提交审批。")).to_be_visible()
    assert re.search(r"/notices/\d+$", page.url)
    return page.url


def test_the_authors_audience_survives_the_catalogue_defaults_and_decides_who_reads(browser, live_server, session_cookie):
    ctx, page, problems = _as(browser, live_server, session_cookie, "leader1")

    # 1. Staff first, then an item whose default is public: the choice stays, and the note says so.
    page.goto("/notices/new")
    page.get_by_label(AUDIENCE).select_option("staff")
    _defaults_from(page, "校务公开 · 章程与规章制度")
    expect(page.get_by_label(AUDIENCE)).to_have_value("staff")
    note = page.locator("#item-defaults-note")
    expect(note).to_contain_text("保留了您已选的设置")
    expect(note).to_contain_text("校内公开（教职工）")
    expect(note).not_to_contain_text("公开范围改为")
    shoot(page, "defaults-kept-choice")
    urls = {RULES_FIRST: _save_and_submit(page, RULES_FIRST)}

    # 2. A first item fills in staff-only; the author moves to another staff-only item and,
    #    before its defaults arrive, makes it public: public stays, and the untouched 公示
    #    period takes the item's 5 days.
    page.goto("/notices/new")
    _defaults_from(page, "校务公开 · 干部任免")
    expect(page.get_by_label(AUDIENCE)).to_have_value("staff")
    page.get_by_label(GONGSHI).fill("0")  # ...and clears the 公示 period: a choice too
    _change_audience_while_the_defaults_are_on_their_way(page, "校务公开 · 评优评先", "public")
    expect(page.get_by_label(AUDIENCE)).to_have_value("public")
    expect(page.get_by_label(GONGSHI)).to_have_value("0")
    expect(page.locator("#item-defaults-note")).to_contain_text("公示期：不公示（默认：5 个工作日）")
    shoot(page, "defaults-race-kept")
    urls[AWARDS_RACE] = _save_and_submit(page, AWARDS_RACE)

    # 3. The same race the other way: staff chosen while a public default is on its way.
    page.goto("/notices/new")
    _change_audience_while_the_defaults_are_on_their_way(page, "校务公开 · 章程与规章制度", "staff")
    expect(page.get_by_label(AUDIENCE)).to_have_value("staff")
    urls[RULES_RACE] = _save_and_submit(page, RULES_RACE)

    # 4. The defaults arrive first (staff, 5 days); the author then makes it public.
    page.goto("/notices/new")
    _defaults_from(page, "校务公开 · 干部任免")
    expect(page.get_by_label(AUDIENCE)).to_have_value("staff")
    page.get_by_label(AUDIENCE).select_option("public")
    urls[CADRES_AFTER] = _save_and_submit(page, CADRES_AFTER)
    assert not problems.items, problems.items
    ctx.close()

    # The principal reads who will see each one next to the button, and publishes them.
    ctx, page, problems = _as(browser, live_server, session_cookie, "principal")
    page.goto("/notices/workspace")
    waiting = page.locator("section", has=page.get_by_role("heading", name="待我审批"))
    for title, tag in ((RULES_FIRST, "校内公开（教职工）"), (AWARDS_RACE, "社会公开")):
        expect(waiting.locator("tr", has=page.get_by_role("link", name=title)).locator(".tag").first).to_have_text(tag)
    shoot(page, "defaults-workspace")
    public = {AWARDS_RACE, CADRES_AFTER}
    for title, url in urls.items():
        page.goto(url)
        callout = page.locator(".actions-card .audience-callout")
        if title in public:
            expect(callout).to_contain_text("公开范围：社会公开")
            expect(callout).to_contain_text("未登录的校外访客")
        else:
            expect(callout).to_contain_text("公开范围：校内公开（教职工）")
            expect(callout).to_contain_text("不对校外公开")
        if title in (RULES_FIRST, AWARDS_RACE):
            shoot(page, f"defaults-approve-{'public' if title in public else 'staff'}")
        page.get_by_role("button", name="审批通过并发布").click()
        expect(page.get_by_text("已审批并发布。")).to_be_visible()
    assert not problems.items, problems.items
    ctx.close()

    # An anonymous visitor: the public two everywhere, the staff-only two nowhere.
    ctx, page, problems = _as(browser, live_server, session_cookie, "")
    for where in ("/", "/notices/school", f"/notices/search?q={KEYWORD}"):
        page.goto(where)
        main = page.locator("main")
        for title in urls:
            if title in public:
                expect(main.get_by_role("link", name=title).first).to_be_visible()
            else:
                expect(main).not_to_contain_text(title)
    page.goto(urls[RULES_FIRST])
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert not problems.items, problems.items
    ctx.close()


def test_without_javascript_the_audience_chosen_is_the_one_saved(browser, live_server, session_cookie):
    from sqlalchemy import select

    from portal.disclosure.models import Notice
    from portal.extensions import db

    ctx, page, problems = _as(browser, live_server, session_cookie, "leader1", java_script_enabled=False)
    page.goto("/notices/new")
    page.get_by_label(ITEM).select_option(label="校务公开 · 章程与规章制度")
    page.get_by_label(AUDIENCE).select_option("staff")
    page.get_by_label("标题").fill("无脚本时的公开范围")
    page.get_by_label("正文").fill("正文")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    expect(page.get_by_label(AUDIENCE)).to_have_value("staff")
    with live_server.app.app_context():
        notice = db.session.scalar(select(Notice).where(Notice.title == "无脚本时的公开范围"))
        assert (notice.audience, notice.gongshi_days) == ("staff", 0)
    assert not problems.items, problems.items
    ctx.close()
