"""Signing in and out through the real forms, and the forced password change of a new account."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, shoot

DASHBOARD_GREETING = re.compile(r"^您好，")
PUBLIC_HEADING = re.compile(r"党务校务公开")


def log_in(page: Page, username: str, password: str) -> None:
    """Fill the login form and submit it (htmx posts it; success moves the whole page)."""
    if not page.url.endswith("/login"):
        page.goto("/login")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PUBLIC_HEADING)
    expect(page.get_by_role("status")).to_contain_text("您已安全退出。")
    expect(page.get_by_role("link", name="登录").first).to_be_visible()


def expect_dashboard(page: Page, base_url: str, name: str | None = None) -> None:
    expect(page).to_have_url(base_url + "/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(DASHBOARD_GREETING)
    if name:
        expect(heading).to_have_text(f"您好，{name}")


def test_teacher_logs_in_and_out(page: Page, live_server) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(PUBLIC_HEADING)
    shoot(page, "public-home")

    page.get_by_role("link", name="登录").first.click()
    expect(page).to_have_url(live_server.url + "/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录阳光校务")
    shoot(page, "login")

    log_in(page, "teacher1", DEMO_PASSWORD)
    expect_dashboard(page, live_server.url)
    expect(page.locator(".account .who")).not_to_be_empty()
    # No admin or audit entries for an ordinary teacher.
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    expect(nav.get_by_role("link", name="用户管理")).to_have_count(0)
    expect(nav.get_by_role("link", name="审计日志")).to_have_count(0)
    shoot(page, "dashboard-teacher1")

    log_out(page)
    expect(page).to_have_url(live_server.url + "/")
    # The old session is gone: a protected page sends us back to the login form.
    page.goto("/account/password")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)account(/|%2F)password$"))
    expect(page.get_by_role("status")).to_contain_text("请先登录。")


def test_wrong_password_shows_chinese_message(page: Page, live_server) -> None:
    page.goto("/login")
    log_in(page, "teacher1", "not-the-password1")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("用户名或密码错误。")
    expect(page).to_have_url(live_server.url + "/login")
    expect(page.get_by_label("用户名", exact=True)).to_have_value("teacher1")
    expect(page.get_by_label("密码", exact=True)).to_have_value("")
    shoot(page, "login-failed")


def test_new_account_must_change_its_one_time_password(page: Page, live_server) -> None:
    base = live_server.url
    # The administrator creates the account through the admin UI.
    page.goto("/login")
    log_in(page, "admin", DEMO_PASSWORD)
    expect_dashboard(page, base)
    page.goto("/admin/users/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("新建账号")
    page.get_by_label("用户名", exact=True).fill("newteacher")
    page.get_by_label("工号", exact=True).fill("YG9001")
    page.get_by_label("姓名", exact=True).fill("方晓月")
    page.get_by_label("部门", exact=True).select_option(label="教务处")
    shoot(page, "admin-new-user")
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("一次性密码")
    secret = page.locator("code.secret")
    expect(secret).to_have_text(re.compile(r"^\S{8,}$"))
    one_time = secret.inner_text().strip()
    shoot(page, "admin-password-issued")
    log_out(page)

    # First login with the one-time password lands on the password form, nowhere else.
    log_in(page, "newteacher", one_time)
    expect(page).to_have_url(base + "/account/password")
    expect(page.get_by_role("heading", level=1)).to_have_text("修改密码")
    expect(page.get_by_role("status")).to_contain_text("首次登录，请先设置新密码。")
    page.goto("/")
    expect(page).to_have_url(base + "/account/password")
    shoot(page, "forced-password-change")

    # A weak password is refused with the rule spelled out.
    page.get_by_label("当前密码", exact=True).fill(one_time)
    page.get_by_label("新密码", exact=True).fill("abcdefgh")
    page.get_by_label("再次输入新密码", exact=True).fill("abcdefgh")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.locator("#new_password-err")).to_have_text("密码至少 8 位，且须同时包含字母和数字。")
    expect(page.get_by_label("新密码", exact=True)).to_have_attribute("aria-invalid", "true")
    shoot(page, "password-too-weak")

    new_password = "Yueliang2026"
    page.get_by_label("当前密码", exact=True).fill(one_time)
    page.get_by_label("新密码", exact=True).fill(new_password)
    page.get_by_label("再次输入新密码", exact=True).fill(new_password)
    page.get_by_role("button", name="保存新密码").click()
    expect_dashboard(page, base, "方晓月")
    expect(page.get_by_role("status")).to_contain_text("密码已修改。")
    log_out(page)

    # The one-time password is spent; the new one works.
    log_in(page, "newteacher", one_time)
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    log_in(page, "newteacher", new_password)
    expect_dashboard(page, base, "方晓月")
    expect(page.get_by_text("教务处 ·")).to_be_visible()
    log_out(page)
