"""The congress in the hall: the union opens a session that needs the hall code,
representatives sign in on 375 px phones (with the code read off the hall display), quorum
appears, a named and a secret poll run and close, and the hall display shows each result;
the hall display also rides out a server that stops and starts again."""
from __future__ import annotations

import re
import threading

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.auth.models import User
from portal.congress.models import CongressSession, Poll
from portal.congress.rules import polls, sessions
from portal.extensions import db
from portal.timeutil import to_local, utcnow
from tests.e2e.conftest import PageProblems, new_context, shoot

HALL = {"width": 1920, "height": 1080}


def _as(browser: Browser, live_server, session_cookie, username: str, width: int = 1366, height: int = 900):
    context = new_context(browser, live_server, viewport={"width": width, "height": height})
    context.add_cookies([session_cookie(username)])
    page = context.new_page()
    return context, page, PageProblems(page)


def _in_app(e2e_app, fn):
    with e2e_app.app_context():
        out = fn(db.session)
        db.session.commit()
        return out


def _user(s, name: str) -> User:
    return s.scalar(select(User).where(User.username == name))


def _sign_in_on_phone(browser, live_server, session_cookie, username: str, session_url: str, hall: Page) -> None:
    ctx, phone, problems = _as(browser, live_server, session_cookie, username, width=375, height=800)
    phone.goto(session_url)
    code = hall.locator(".hall-code .code").inner_text().strip()
    phone.get_by_label("签到码").fill(code)
    phone.get_by_role("button", name="签到", exact=True).click()
    expect(phone.locator("#sign-in")).to_contain_text("您已签到")
    if username == "rep1":
        shoot(phone, "congress-rep-signed-in", widths=(375,))
    assert not problems.items, problems.items
    ctx.close()


def _work_report(browser, live_server, session_cookie, session_url: str) -> None:
    """The principal's work report: the principal files it (with a paper), rep1 reads it on
    the phone and leaves an opinion, the principal's office (党政办, leader3) answers."""
    ctx, page, problems = _as(browser, live_server, session_cookie, "principal")
    page.goto("/")
    todo = page.get_by_role("link", name=re.compile("需要校长工作报告"))
    expect(todo.first).to_be_visible()
    todo.first.click()
    page.get_by_label("报告标题").fill("学校年度工作报告")
    page.get_by_label("报告正文").fill("## 一、本年度工作回顾\n\n完成课后服务调整。\n\n## 二、明年工作\n\n1. 落实绩效工资方案")
    page.get_by_role("button", name="提交报告").click()
    expect(page.get_by_text("校长工作报告已提交，代表可以阅读并提出意见。")).to_be_visible()
    expect(page.get_by_role("heading", name="一、本年度工作回顾")).to_be_visible()
    assert not problems.items, problems.items
    ctx.close()

    ctx, phone, problems = _as(browser, live_server, session_cookie, "rep1", width=375, height=800)
    phone.goto("/inbox")
    phone.locator("li", has_text=re.compile("学校年度工作报告.*已提交")).first.get_by_role("button", name="查看").click()
    phone.get_by_role("button", name="我已阅读").click()
    expect(phone.get_by_text("已标记为已阅读。")).to_be_visible()
    phone.get_by_label("您的意见").fill("建议把青年教师培养写进明年的工作安排。")
    phone.get_by_role("button", name="提交意见").click()
    expect(phone.get_by_text("意见已提交，校长办公室将作答复。")).to_be_visible()
    shoot(phone, "congress-work-report-rep", widths=(375,))
    assert not problems.items, problems.items
    ctx.close()

    ctx, page, problems = _as(browser, live_server, session_cookie, "leader3")
    page.goto(session_url + "/work-report")
    page.get_by_label("答复", exact=True).fill("已采纳，将列入明年工作安排第三项。")
    page.get_by_role("button", name="发布答复").click()
    expect(page.get_by_text("答复已发布。")).to_be_visible()
    expect(page.locator(".answer")).to_contain_text("已采纳")
    shoot(page, "congress-work-report-answered")
    assert not problems.items, problems.items
    ctx.close()


def test_a_session_in_the_hall(browser, live_server, session_cookie, e2e_app):
    ctx, union, problems = _as(browser, live_server, session_cookie, "union")
    union.goto("/congress/")
    union.get_by_label("会议日期").fill(to_local(utcnow()).date().isoformat())
    union.get_by_label("地点").fill("学校报告厅")
    union.get_by_label("议程").fill("一、审议年度工作报告\n二、选举")
    union.get_by_label(re.compile("签到须扫描会场大屏")).check()
    union.get_by_role("button", name="创建会议").click()
    expect(union.get_by_text(re.compile("已创建第 \\d+ 次会议"))).to_be_visible()
    planned_url = union.url
    union.get_by_role("button", name="开始会议（开放签到）").click()  # refused: no work report yet
    expect(union.get_by_text(re.compile("校长工作报告是本次会议的必备议程"))).to_be_visible()
    _work_report(browser, live_server, session_cookie, planned_url)
    union.goto(planned_url)
    expect(union.locator("#agenda-h + p")).to_contain_text("1 位代表已阅读")
    union.get_by_role("button", name="开始会议（开放签到）").click()
    expect(union.get_by_text("会议已开始，代表可以签到。")).to_be_visible()
    session_url = union.url
    session_id = int(session_url.rstrip("/").rsplit("/", 1)[1])
    display_url = union.locator("a.break-url").first.get_attribute("href")
    assert display_url and "/congress/hall/" in display_url
    shoot(union, "congress-union-session")

    hall_ctx = new_context(browser, live_server, viewport=HALL)
    hall = hall_ctx.new_page()
    hall_problems = PageProblems(hall)
    hall.goto("/congress/" + display_url.split("/congress/", 1)[1])
    expect(hall.locator(".hall-code img")).to_be_visible()
    font = hall.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 32, font
    expect(hall.locator(".hall-presence")).to_contain_text("不能开会")

    # Three representatives sign in on their phones with the code from the hall display.
    for name in ("rep1", "rep2", "rep3"):
        _sign_in_on_phone(browser, live_server, session_cookie, name, session_url, hall)
    # One signs on paper, recorded by the union; 23 more sign in (as on their phones).
    rep4 = _in_app(e2e_app, lambda s: _user(s, "rep4").name)
    union.reload()
    union.get_by_label("代表").select_option(label=rep4)
    union.get_by_label("备注（如：纸质签到）").fill("纸质签到")
    union.get_by_role("button", name="登记").click()
    expect(union.locator("#presence")).to_contain_text(f"已登记：{rep4}")

    def more(s):
        cs = s.get(CongressSession, session_id)
        for i in range(5, 28):
            sessions.record_presence(s, _user(s, "union"), cs, _user(s, f"rep{i}"), "in", "纸质签到")
    _in_app(e2e_app, more)
    expect(hall.locator(".hall-presence")).to_contain_text("实到 27 人，已达到应到人数的三分之二以上（含本数），可以开会。")
    union.reload()
    expect(union.locator("#presence")).to_contain_text("可以开会")

    # A named motion.
    union.get_by_label("表决事项").fill("关于《2027年度工作计划》的表决")
    union.get_by_role("button", name="添加", exact=True).click()
    expect(union.get_by_text(re.compile("已添加表决事项"))).to_be_visible()
    union.get_by_role("button", name="开始表决").click()
    expect(union.get_by_text(re.compile("表决已开始：应到 40 人，实到 27 人"))).to_be_visible()
    named_url = union.url
    named_id = int(named_url.rsplit("/", 1)[1])
    ctx1, phone, p1 = _as(browser, live_server, session_cookie, "rep1", width=375, height=800)
    phone.goto(named_url)
    phone.get_by_label("赞成").check()
    phone.get_by_role("button", name="投票", exact=True).click()
    expect(phone.locator("#ballot")).to_contain_text("投票成功")
    shoot(phone, "congress-rep-voted", widths=(375,))
    ctx1.close()

    def votes(poll_id: int, choices):
        def go(s):
            poll = s.get(Poll, poll_id)
            for i, choice in choices:
                polls.cast_vote(s, _user(s, f"rep{i}"), poll, choice)
        return go
    _in_app(e2e_app, votes(named_id, [(i, "yes" if i <= 22 else "no") for i in range(2, 28)]))
    expect(hall.locator(".hall-poll")).to_contain_text("27 / 27")
    union.reload()
    union.get_by_role("button", name="结束表决并计票").click()
    expect(union.locator(".result")).to_contain_text("赞成 22 票（至少需 20 票），已达到应到人数的半数以上（含本数），通过。")
    expect(hall.locator(".hall-poll .verdict")).to_have_text("通过")
    shoot(hall, "congress-hall-named-result", widths=(1920,))

    # A secret election: two of three.
    union.goto(session_url)
    union.get_by_label("表决事项").fill("增补主席团成员")
    union.get_by_label("类型").select_option("election")
    union.get_by_label("无记名投票").check()
    union.get_by_label("应选人数（选举）").fill("2")
    union.get_by_label("候选人（选举，每行一人）").fill("周敏\n吴强\n郑洁")
    union.get_by_role("button", name="添加", exact=True).click()
    union.get_by_role("button", name="开始表决").click()
    secret_url = union.url
    secret_id = int(secret_url.rsplit("/", 1)[1])
    ctx2, phone, p2 = _as(browser, live_server, session_cookie, "rep2", width=375, height=800)
    phone.goto(secret_url)
    other_tab = ctx2.new_page()  # the same ballot open twice: the second one is refused where it was pressed
    other_tab.goto(secret_url)
    phone.get_by_label("周敏").check()
    phone.get_by_label("郑洁").check()
    phone.get_by_role("button", name="投票", exact=True).click()
    expect(phone.locator("#ballot")).to_contain_text("投票成功")
    expect(phone.locator("#ballot")).not_to_contain_text("周敏")  # the ballot is gone, no split shown
    assert not p2.items, p2.items
    other_tab.get_by_label("吴强").check()
    other_tab.get_by_role("button", name="投票", exact=True).click()
    expect(other_tab.locator("#ballot .error")).to_have_text("您已投票。无记名投票一经投出不能更改。")
    expect(other_tab.locator("#ballot input[name=choice]")).to_have_count(0)
    shoot(other_tab, "congress-second-secret-ballot", widths=(375,))
    ctx2.close()
    cands = _in_app(e2e_app, lambda s: [c.code for c in s.get(Poll, secret_id).candidates])
    _in_app(e2e_app, votes(secret_id, [(i, [cands[0], cands[1 + i % 2]]) for i in range(3, 28)]))
    expect(hall.locator(".hall-poll")).to_contain_text("26 / 27")
    expect(hall.locator(".hall-poll .counts")).to_have_count(0)  # no split before close
    union.reload()
    union.get_by_role("button", name="结束表决并计票").click()
    expect(union.locator(".result")).to_contain_text("当选")
    expect(union.locator(".digest")).to_contain_text("票箱校验码")
    expect(hall.locator(".hall-poll .counts")).to_contain_text("周敏")
    expect(hall.locator(".hall-poll")).to_contain_text("当选")
    shoot(hall, "congress-hall-secret-result", widths=(1920,))
    shoot(union, "congress-union-secret-result")
    assert not problems.items, problems.items
    assert not hall_problems.items, hall_problems.items
    hall_ctx.close()
    ctx.close()


def test_the_hall_display_recovers_after_the_server_stops_and_starts(browser, e2e_app):
    token = _in_app(e2e_app, lambda s: s.scalar(select(CongressSession.display_token)
                                                 .where(CongressSession.status == "open").limit(1)))
    first = make_server("127.0.0.1", 0, e2e_app, threaded=True)
    port = first.server_port
    thread = threading.Thread(target=first.serve_forever, daemon=True)
    thread.start()
    ctx = browser.new_context(viewport=HALL, locale="zh-CN")
    hall = ctx.new_page()
    hall.goto(f"http://127.0.0.1:{port}/congress/hall/{token}")
    expect(hall.locator("#hall-state h1")).to_be_visible()
    mark = hall.locator("#reconnecting")
    expect(mark).to_be_hidden()
    first.shutdown()
    first.server_close()
    thread.join(10)
    expect(mark).to_be_visible(timeout=15_000)
    expect(hall.locator("#hall-state h1")).to_be_visible()  # the last good state stays
    shoot(hall, "congress-hall-reconnecting", widths=(1920,))
    # Something changes while the server is down; the display shows it once it is back.
    def sign(s):
        cs = s.scalar(select(CongressSession).where(CongressSession.display_token == token))
        for i in range(30, 33):
            if not sessions.is_present(s, cs, _user(s, f"rep{i}").id):
                sessions.record_presence(s, _user(s, "union"), cs, _user(s, f"rep{i}"), "in")
        return len(sessions.presence(s, cs).now)
    present = _in_app(e2e_app, sign)
    second = make_server("127.0.0.1", port, e2e_app, threaded=True)
    thread = threading.Thread(target=second.serve_forever, daemon=True)
    thread.start()
    try:
        expect(mark).to_be_hidden(timeout=20_000)
        expect(hall.locator(".hall-presence .big")).to_contain_text(f"{present} /")
    finally:
        second.shutdown()
        second.server_close()
        ctx.close()
