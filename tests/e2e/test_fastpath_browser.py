"""A browser on cached pages served by the fast path (``portal.fastpath``): the language form
and the login work from an anonymous page that Flask never saw, and a signed-in reader's
cached page signs out. The module's app runs with the page cache on (tests run with it off)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request, request_started
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DEMO_PASSWORD, new_context, shoot
from tests.e2e.test_login import PUBLIC_HEADING, expect_dashboard, log_in


@pytest.fixture(scope="module")
def e2e_app(e2e_app: Flask) -> Iterator[Flask]:
    e2e_app.config["PAGE_CACHE"] = True
    yield e2e_app


@pytest.fixture
def flasked(e2e_app: Flask) -> Iterator[list[str]]:
    """The GET paths that reached Flask (the fast path answers before it)."""
    seen: list[str] = []

    def note(sender: Any, **extra: Any) -> None:
        if request.method == "GET" and not request.path.startswith("/static/"):
            seen.append(request.path)

    request_started.connect(note, e2e_app)
    yield seen
    request_started.disconnect(note, e2e_app)


def test_language_and_login_from_a_page_flask_never_saw(browser: Browser, live_server, flasked: list[str]) -> None:
    warm = new_context(browser, live_server)
    warm.new_page().goto("/")  # renders the public home page into the cache
    warm.close()
    flasked.clear()
    context = new_context(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text(PUBLIC_HEADING)
        assert "/" not in flasked, flasked  # served by the fast path, with a new session and token
        assert any(c["name"] == "portal_session" for c in context.cookies())
        page.get_by_role("button", name="English").click()  # the language form, CSRF-checked
        expect(page.locator("html")).to_have_attribute("lang", "en")
        shoot(page, "fastpath-public-en", widths=(1280,))
        page.get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

        page.goto("/")  # cached again: the login link, then the login form
        page.get_by_role("link", name="登录").first.click()
        log_in(page, "teacher1", DEMO_PASSWORD)
        expect_dashboard(page, live_server.url)
        flasked.clear()
        page.reload()
        page.reload()
        expect_dashboard(page, live_server.url)
        assert flasked.count("/") < 2, flasked  # the second reload at least came from the fast path
        shoot(page, "fastpath-dashboard", widths=(1280,))
        page.get_by_role("button", name="退出", exact=True).click()  # the token of a cached page
        expect(page.get_by_role("heading", level=1)).to_have_text(PUBLIC_HEADING)
        expect(page.get_by_role("status")).to_contain_text("您已安全退出。")
    finally:
        context.close()
