"""The header on a phone (issue 21.11): at 375 px it is one row of at most about 64 px (the
brand, the current section, a menu button); the button opens the whole navigation and the
account links, by mouse, keyboard and screen reader (aria-expanded, Escape closes and gives
focus back), axe-clean open and closed. At desktop width the navigation shows as before."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import ON_POSTGRES
from tests.e2e.conftest import new_context
from tests.e2e.test_accessibility import AXE_SOURCE, Audit

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the browser runs once, on SQLite")

PHONE = {"width": 375, "height": 800}
SHOTS = Path("/tmp/shots-inuse")
HEADER_AXE = """async () => {
  const r = await axe.run(".site-header", {resultTypes: ["violations", "incomplete"]});
  return r.violations.concat(r.incomplete).map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.html.slice(0, 120))}));
}"""
PAGES = {"anonymous": ["/", "/notices/school"], "rep1": ["/", "/proposals", "/congress/", "/consultations"],
         "admin": ["/", "/admin/users", "/disclosure/compliance"]}


@pytest.mark.parametrize("who", list(PAGES))
def test_the_phone_header_is_one_compact_row_with_a_menu(browser: Browser, live_server, session_cookie, who):
    context = new_context(browser, live_server, viewport=dict(PHONE), bypass_csp=True)
    context.add_init_script(script=AXE_SOURCE)
    if who != "anonymous":
        context.add_cookies([session_cookie(who)])
    page = context.new_page()
    audit = Audit(who)
    for path in PAGES[who]:
        page.goto(path)
        header = page.locator(".site-header")
        height = header.bounding_box()["height"]
        assert height <= 64, (who, path, height)
        button = page.get_by_role("button", name="菜单")
        expect(button).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "false")
        nav = page.get_by_role("navigation", name="主导航")
        expect(nav).to_be_hidden()
        audit.check(page, f"{path} (menu closed)")
        # Keyboard: Tab from the skip link reaches the brand, then the button; Enter opens.
        button.focus()
        page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(nav).to_be_visible()
        first = nav.get_by_role("link").first
        expect(first).to_be_visible()
        # The open panel covers the page, so axe cannot judge the contrast of what lies under
        # it: with the menu open, the header itself is checked.
        failing = [v for v in page.evaluate(HEADER_AXE) if v["impact"] in ("serious", "critical")]
        assert not failing, (who, path, failing)
        if path == PAGES[who][-1]:
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"header-{who}-open.png"))
        page.keyboard.press("Tab")  # focus moves into the open panel
        assert page.evaluate("() => document.activeElement.closest('#site-menu') !== null")
        page.keyboard.press("Escape")
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(nav).to_be_hidden()
        assert page.evaluate("() => document.activeElement.classList.contains('menu-button')")
        if path == PAGES[who][0]:
            page.screenshot(path=str(SHOTS / f"header-{who}-closed.png"))
    # The current section is named in the header.
    if who == "rep1":
        page.goto("/proposals/mine")
        expect(page.locator(".current-section")).to_have_text("提案")
        # Unread messages are folded into the menu with the inbox link: a dot on the button says so.
        expect(page.locator("#inbox-link.has-unread")).to_have_count(1)
        dot = "() => getComputedStyle(document.querySelector('.menu-button'), '::after')"
        assert page.evaluate(dot + ".content") != "none" and page.evaluate(dot + ".width") != "auto"
        page.evaluate("() => document.querySelector('#inbox-link').classList.remove('has-unread')")
        assert page.evaluate(dot + ".content") == "none"
    # At desktop width nothing is folded.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(PAGES[who][0])
    expect(page.get_by_role("button", name="菜单")).to_be_hidden()
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    audit.assert_clean()
    context.close()
