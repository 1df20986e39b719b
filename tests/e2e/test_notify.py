"""Notification settings and delivery pages in a real browser: a teacher chooses the daily
digest (a bad address first), the admin adds a group robot (an empty form first) and queues a
test message; axe judges each state, the screenshots go to the artifacts."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import ON_POSTGRES
from tests.e2e.conftest import shoot
from tests.e2e.test_accessibility import Audit, keep_state, role_context

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the browser runs once, on SQLite")


def test_a_teacher_switches_to_the_daily_digest(browser: Browser, live_server, session_cookie) -> None:
    audit = Audit("teacher1 notification settings")
    context = role_context(browser, live_server, session_cookie, "teacher1")
    try:
        page = context.new_page()
        page.goto("/inbox")
        page.get_by_role("link", name="通知设置：邮件、每日汇总与免打扰").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("通知设置")
        page.get_by_label("接收通知的邮箱").fill("不是邮箱")
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#email-err")).to_contain_text("请填写有效的邮箱地址")
        audit.check(page, "/inbox/settings (bad address)")
        keep_state(page, "/inbox/settings (bad address)")
        page.get_by_label("接收通知的邮箱").fill("teacher1@school.test")
        page.get_by_label(re.compile("只收每日汇总")).check()
        page.get_by_label("每日汇总发送时间").select_option("17")
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("status")).to_have_text("已保存。")
        audit.check(page, "/inbox/settings (saved)")
        shoot(page, "notify-settings")
        page.reload()
        expect(page.get_by_label(re.compile("只收每日汇总"))).to_be_checked()
        expect(page.get_by_label("接收通知的邮箱")).to_have_value("teacher1@school.test")
    finally:
        context.close()
    audit.assert_clean()


def test_the_admin_adds_a_robot_and_queues_a_test_message(browser: Browser, live_server, session_cookie) -> None:
    audit = Audit("admin robots")
    context = role_context(browser, live_server, session_cookie, "admin")
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("link", name="消息推送").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("消息推送")
        audit.check(page, "/admin/deliveries")
        page.get_by_role("link", name="群机器人管理").click()
        page.get_by_role("button", name="添加").click()
        expect(page.locator("#name-err")).to_contain_text("请填写群名称")
        audit.check(page, "/admin/robots (empty)")
        keep_state(page, "/admin/robots (empty)")
        page.get_by_label("平台").select_option("dingtalk")
        page.get_by_label("群名称").fill("第五届教代会代表群")
        page.get_by_label("Webhook 地址").fill("https://robot.school.test/robot/send?access_token=SECRETTOKEN")
        page.get_by_label(re.compile("加签密钥")).fill("SECxyz")
        page.get_by_label("提案办理").check()
        page.get_by_role("button", name="添加").click()
        expect(page.get_by_role("status")).to_contain_text("已添加群机器人“第五届教代会代表群”")
        expect(page.locator("#robots")).not_to_contain_text("SECRETTOKEN")
        audit.check(page, "/admin/robots (added)")
        shoot(page, "notify-robots")
        page.goto("/admin/deliveries")
        page.get_by_role("row", name=re.compile("第五届教代会代表群")).get_by_role("button", name="发送测试消息").click()
        expect(page.get_by_role("status")).to_contain_text("测试消息已排队")
        expect(page.locator("#deliveries tbody").last).to_contain_text("测试")
        audit.check(page, "/admin/deliveries (test queued)")
        shoot(page, "notify-deliveries")
    finally:
        context.close()
    audit.assert_clean()
