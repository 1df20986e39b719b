"""Notice boards in Chromium: every slide at 1920×1080 and 1080×1920 with nothing outside
the screen, no text under 32 px (headings 48 px) and contrast of at least 7:1; the screen
keeping its content through a server stop and recovering by itself under gunicorn; posters
printing on one A4 (and one A3) page."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.extensions import db
from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LiveServer, PageProblems, new_context

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}

# Everything on the visible slide: boxes outside the viewport, text too small, too little contrast.
MEASURE = """() => {
  const out = {outside: [], small: [], headings: [], contrast: [], texts: 0};
  const slide = document.querySelector('.slide:not([hidden])');
  if (!slide) return out;
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c; } return [255, 255, 255]; };
  const say = el => el.tagName + ' «' + (el.textContent || '').trim().slice(0, 24) + '»';
  for (const el of slide.querySelectorAll('*')) {
    if (el.closest('.visually-hidden')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.outside.push(say(el));
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    out.texts++;
    const style = getComputedStyle(el);
    let size = parseFloat(style.fontSize), colour = rgb(style.color);
    if (el instanceof SVGElement) {
      const svg = el.ownerSVGElement;
      size = parseFloat(el.getAttribute('font-size')) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      colour = rgb(style.fill);
    }
    if (size < 31.5) out.small.push(say(el) + ' ' + size.toFixed(1) + 'px');
    if (/^H[12]$/.test(el.tagName) && size < 47.5) out.headings.push(say(el) + ' ' + size.toFixed(1) + 'px');
    const [a, b] = [lum(colour), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 7) out.contrast.push(say(el) + ' ' + ratio.toFixed(2));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def boards(e2e_app) -> dict[str, str]:
    """A landscape and a portrait board with every slide, and a public 公示 with a long title."""
    from portal.boards import rules
    from portal.disclosure import rules as notice_rules
    from portal.disclosure.models import CatalogItem
    from portal.auth.models import User
    from sqlalchemy import select

    with e2e_app.app_context():
        s = db.session
        author = s.scalar(select(User).where(User.username == "leader3"))
        principal = s.scalar(select(User).where(User.username == "principal"))
        item = s.scalar(select(CatalogItem).where(CatalogItem.channel == "school").order_by(CatalogItem.id))
        notice = notice_rules.create_draft(
            s, author, item=item, audience="public", gongshi_days=5, requires_ack=False, body_md="公示内容。" * 50,
            title="关于2026年度教职工绩效考核优秀等次人选及学校年度先进集体和先进个人评选结果的公示（第二批）")
        notice_rules.submit(s, author, notice)
        notice_rules.publish(s, principal, notice)
        made = {"landscape": rules.create_board(s, None, "大厅横屏").token,
                "portrait": rules.create_board(s, None, "大厅竖屏", orientation="portrait").token,
                "gongshi_id": str(notice.id)}
        s.commit()
    return made


@pytest.fixture
def screen(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = new_context(browser, live_server, viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    problems = PageProblems(page)
    yield page
    context.close()
    assert not problems.items, "the browser reported errors:\n" + "\n".join(problems.items)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_every_slide_fits_the_screen_legibly(screen: Page, boards, orientation):
    width, height = SIZES[orientation]
    screen.set_viewport_size({"width": width, "height": height})
    screen.goto(f"/boards/{boards[orientation]}")
    codes = screen.eval_on_selector_all(".slide", "els => els.map(e => e.dataset.slide)")
    assert codes == ["gongshi", "notices", "tracker", "congress", "charts", "chain"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for index, code in enumerate(codes):
        screen.evaluate("i => document.querySelectorAll('.slide').forEach((s, k) => s.hidden = k !== i)", index)
        found = screen.evaluate(MEASURE)
        screen.screenshot(path=str(ARTIFACTS / f"board-{orientation}-{code}.png"))
        print(f"board {orientation} {code}: {found['texts']} texts, {len(found['outside'])} outside, "
              f"{len(found['small'])} small, {len(found['contrast'])} below 7:1")
        assert found["texts"] > 3
        assert found["outside"] == [] and found["small"] == [] and found["headings"] == [], (code, found)
        assert found["contrast"] == [], (code, found["contrast"])
    screen.evaluate("() => document.querySelectorAll('.slide').forEach((s, k) => s.hidden = k !== 0)")
    assert "扫码查看全文" in screen.locator(".slide-gongshi").inner_text()  # the long title, shortened


def test_the_slides_turn_by_themselves(screen: Page, boards, e2e_app):
    from portal.boards import rules
    from portal.boards.models import Board
    from sqlalchemy import select

    with e2e_app.app_context():  # through the rule, as the admin's page does (the screen sees it at once)
        board = db.session.scalar(select(Board).where(Board.token == boards["landscape"]))
        rules.update_board(db.session, None, board, board.name, place=board.place, orientation=board.orientation,
                           slides=board.slide_codes, dwell_seconds=5, quiet_start=None, quiet_end=None,
                           quiet_weekends=False)
        db.session.commit()
    screen.goto(f"/boards/{boards['landscape']}")
    expect(screen.locator('.slide[data-slide="gongshi"]')).to_be_visible()
    expect(screen.locator('.slide[data-slide="notices"]')).to_be_visible(timeout=8000)
    expect(screen.locator('.slide[data-slide="gongshi"]')).to_be_hidden()


def test_the_board_keeps_its_content_through_a_server_stop_and_recovers(browser: Browser, e2e_app, boards, tmp_path,
                                                                        monkeypatch):
    from portal.disclosure.models import CatalogItem
    from portal.auth.models import User
    from portal.disclosure import rules as notice_rules
    from sqlalchemy import select
    from tests.faults.live import Gunicorn

    monkeypatch.setenv("BOARD_POLL_SECONDS", "1")
    url = e2e_app.config["DATABASE_URL"]
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(url, "board-test", log, workers=1)
    port = server.port
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/boards/{boards['landscape']}")
        mark = page.locator("#reconnecting")
        title = page.locator(".slide:not([hidden]) h1").inner_text()
        with page.expect_response(lambda r: "/boards/" in r.url and r.status == 304) as answer:
            pass  # an unchanged board: the poll is answered 304 and nothing is swapped
        assert "shown=gongshi" in answer.value.url  # each poll says what the screen shows
        with e2e_app.app_context():  # and the report is kept (a worker's first is written at once)
            from portal.boards.models import Board

            seen = db.session.scalar(select(Board).where(Board.token == boards["landscape"]))
            assert seen.last_shown == "gongshi" and seen.last_seen_at is not None
        server.stop()
        expect(mark).to_be_visible(timeout=8000)
        assert page.locator(".slide:not([hidden]) h1").inner_text() == title  # the last content stays
        assert page.locator("#board-deck").count() == 1
        page.screenshot(path=str(ARTIFACTS / "board-reconnecting.png"))
        server = Gunicorn(url, "board-test", log, workers=1, port=port)
        expect(mark).to_be_hidden(timeout=10000)
        with e2e_app.app_context():  # and news arrives again, without a touch
            s = db.session
            author = s.scalar(select(User).where(User.username == "leader3"))
            item = s.scalar(select(CatalogItem).where(CatalogItem.channel == "school").order_by(CatalogItem.id))
            notice = notice_rules.create_draft(s, author, item=item, audience="public", gongshi_days=0,
                                               requires_ack=False, title="重启之后发布的公开事项", body_md="正文")
            notice_rules.submit(s, author, notice)
            notice_rules.publish(s, s.scalar(select(User).where(User.username == "principal")), notice)
            s.commit()
        expect(page.locator("#board-deck")).to_contain_text("重启之后发布的公开事项", timeout=10000)
        # never the sign-in page (the 公示 slide itself says "扫码登录", so look for the form)
        assert page.locator("input[type=password], form[action*='/login']").count() == 0
    finally:
        context.close()
        server.stop()


KEPT = """async () => {  // what the board's service worker holds: the page and the files it uses
  const cache = await caches.open("board-pages-v1");
  return (await cache.keys()).map(r => new URL(r.url).pathname);
}"""


def test_a_screen_started_while_the_server_is_down_shows_its_last_content(browser: Browser, e2e_app, boards,
                                                                            tmp_path, monkeypatch):
    """A power cut: the kiosk browser had loaded the board once; it starts again (the same
    profile) and loads the address while the server is still down. Its service worker serves
    the last good page with "重新连接中"; once the server is back, the mark goes by itself."""
    from tests.faults.live import Gunicorn

    monkeypatch.setenv("BOARD_POLL_SECONDS", "1")
    url = e2e_app.config["DATABASE_URL"]
    log = tmp_path / "gunicorn.log"
    server = Gunicorn(url, "board-test", log, workers=1)
    port, path = server.port, f"/boards/{boards['portrait']}"
    profile = tmp_path / "kiosk"
    launch = dict(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, locale="zh-CN",
                  viewport={"width": 1080, "height": 1920})
    kiosk = browser.browser_type.launch_persistent_context(str(profile), **launch)
    try:
        page = kiosk.new_page()
        page.goto(f"http://127.0.0.1:{port}{path}")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        for _ in range(100):  # the worker keeps the page and its files once it is active
            kept = page.evaluate(KEPT)
            if path in kept and {"/static/css/board.css", "/static/js/board.js"} <= set(kept):
                break
            page.wait_for_timeout(100)
        assert path in kept and any(k.startswith("/static/vendor/htmx") for k in kept), kept
        first = page.locator(".slide:not([hidden]) h1").inner_text()
        kiosk.close()  # the power goes
        server.stop()
        kiosk = browser.browser_type.launch_persistent_context(str(profile), **launch)
        page = kiosk.new_page()
        page.goto(f"http://127.0.0.1:{port}{path}")  # the server is still down
        expect(page.locator("#board-deck")).to_be_visible()
        assert page.locator(".slide:not([hidden]) h1").inner_text() == first
        expect(page.locator("#reconnecting")).to_be_visible()
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
        page.screenshot(path=str(ARTIFACTS / "board-started-offline.png"))
        server = Gunicorn(url, "board-test", log, workers=1, port=port)
        expect(page.locator("#reconnecting")).to_be_hidden(timeout=10000)
        assert page.locator("#board-deck").count() == 1
    finally:
        kiosk.close()
        server.stop()


@pytest.mark.parametrize("size, box", [("a4", (595, 842)), ("a3", (842, 1191))])
def test_a_poster_prints_on_one_page(screen: Page, boards, size, box):
    for path in (f"/posters/notices/{boards['gongshi_id']}?size={size}", f"/posters/tracker?size={size}"):
        screen.goto(path)
        expect(screen.locator(".poster-qr svg")).to_be_visible()
        pdf = screen.pdf(prefer_css_page_size=True, print_background=True)
        pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
        media = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        name = "tracker" if "tracker" in path else "notice"
        (ARTIFACTS / f"poster-{name}-{size}.pdf").write_bytes(pdf)
        assert len(pages) == 1, (path, len(pages))
        assert [round(float(w)) for w in media[0]] == list(box)
