"""axe-core and the Nu Html Checker on every page each demo role can reach, plus form error states.

One browser context per role, signed in once with a session cookie. The crawl starts at
``/`` and follows same-origin ``<a href>`` links breadth-first (GET only), at 1366 px; the
home page (the dashboard once signed in) is checked again at 375 px. The app's CSP
(``script-src 'self'``) would block an injected axe, so these contexts bypass the CSP.
axe comes in as a context init script (parsed with each page, without sending 650 kB over
the DevTools protocol for every page, which halves the time per page); ``add_script_tag``
is the fallback. A test fails on every result of impact "serious" or "critical", whether axe
calls it a violation or "incomplete" (needs review): since axe 4.13 an ``aria-labelledby``
that points at a missing id is only "incomplete" (``aria-valid-attr-value``), and a crawl
that read violations alone missed it on every notice without a 公示 window. All results
(any impact) are written to ``tests/artifacts/<database>/axe-*.json``.

The HTML of every page the crawl visits (as the server sent it) and of every form error
state (the document as the browser holds it after the swap, plus any htmx response that
is a whole document) is kept, and the last test runs the Nu Html Checker once over the
batch (``tests/e2e/nu.py``): it fails on any error, and says how many pages it checked in
the terminal summary and in ``tests/artifacts/<database>/nu-report.json``.

``E2E_SCREENSHOT_ALL=1`` also saves a screenshot of every page the administrator reaches.
"""
from __future__ import annotations

import json
import os
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e import nu
from tests.conftest import ON_POSTGRES, login_as
from tests.e2e.conftest import ARTIFACTS, AXE_SOURCE_PATH, NU_SUMMARY, WIDTHS, LiveServer, new_context, shoot

# The browser and axe run once, on SQLite: what they judge (markup, focus, labels after an
# htmx swap) does not depend on the database. On PostgreSQL the crawl goes through the test
# client and every page it reaches is checked by Nu (test_every_page_seen_is_valid_html).
browser_once = pytest.mark.skipif(ON_POSTGRES, reason="the browser and axe run once, on SQLite; Nu runs on both")

ROLES = ["anonymous", "teacher1", "rep1", "union", "handler1", "leader1", "secretary", "principal", "admin"]
# Pages the crawl must reach, or it is not finding the links (a broken nav, a failed sign-in).
MUST_REACH = {
    "anonymous": {"/", "/login"},
    "teacher1": {"/", "/account/password"},
    "secretary": {"/audit/"},
    "admin": {"/admin/users", "/admin/users/new", "/admin/roster", "/audit/", "/account/password"},
}
MAX_PAGES = 40  # per role
MAX_PER_PATTERN = 2  # /admin/users/7, /admin/users/8, ...: the same template; two samples are plenty
MAX_PAGE_NUMBER = 2  # follow pagers to page 2, not beyond
FAILING_IMPACTS = {"serious", "critical"}
# The role that reaches the most pages: with E2E_SCREENSHOT_ALL=1, one picture of each.
SCREENSHOT_EVERY_PAGE_OF = "admin" if os.environ.get("E2E_SCREENSHOT_ALL") == "1" else None
SKIP_PATHS = re.compile(r"^/(static/|logout$|healthz$)")
DOWNLOAD_SUFFIX = re.compile(r"\.(xlsx|xls|csv|pdf|docx?|zip|png|jpe?g|gif|svg|ico|txt|json|xml|rss|atom)$", re.I)

AXE_SOURCE = AXE_SOURCE_PATH.read_text(encoding="utf-8")
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations", "incomplete"]});
  const mark = (list, kind) => list.map(v => ({kind: kind,
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
    nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, impact: n.impact,
                              summary: n.failureSummary})),
  }));
  return mark(result.violations, "violation").concat(mark(result.incomplete, "incomplete"));
}"""
LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .filter(a => !a.hasAttribute("download"))
  .map(a => a.getAttribute("href"))"""


@dataclass
class Finding:
    rule: str
    impact: str
    url: str
    targets: list[str]
    help: str
    html: str
    summary: str
    kind: str = "violation"  # or "incomplete": axe could not decide and asks a person

    def line(self) -> str:
        return f"[{self.impact}{'' if self.kind == 'violation' else ', ' + self.kind}] {self.rule} on {self.url}: {' '.join(self.targets)} — {self.help}\n      {self.html}"


@dataclass
class Audit:
    """What axe found for one role: every violation, and the ones that fail the test."""

    who: str
    pages: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def check(self, page: Page, label: str | None = None) -> None:
        """Run axe on the current page (injecting it unless the init script did) and record violations."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(content=AXE_SOURCE)
        url = label or path_of(page.url)
        for v in page.evaluate(RUN_AXE):
            for node in v["nodes"]:
                self.findings.append(Finding(
                    rule=v["id"], impact=node.get("impact") or v.get("impact") or "unknown", url=url,
                    targets=[str(t) for t in node["target"]], help=v["help"], html=node["html"][:200],
                    summary=(node.get("summary") or "").replace("\n", " ")[:300], kind=v["kind"],
                ))

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.impact in FAILING_IMPACTS]

    def save(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        data = {"role": self.who, "pages": self.pages, "skipped": self.skipped,
                "violations": [f.__dict__ for f in self.findings]}
        (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    def assert_clean(self) -> None:
        failing = self.failing
        assert not failing, (
            f"axe found {len(failing)} serious/critical violation(s) for {self.who}:\n"
            + "\n".join(f.line() for f in failing)
        )


def slug(url: str) -> str:
    """A file-name-safe name for a page: ``/admin/users?page=2`` → ``admin-users-page-2``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-") or "home"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl_key(href: str) -> tuple[str, str] | None:
    """(page key, template pattern) for a same-origin GET link worth visiting, else None."""
    if not href.startswith("/") or href.startswith("//"):
        return None
    parts = urlsplit(href)
    path = parts.path
    if SKIP_PATHS.search(path) or DOWNLOAD_SUFFIX.search(path):
        return None
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "page":
            if not value.isdigit() or int(value) > MAX_PAGE_NUMBER:
                return None
            if int(value) == 1:
                continue  # ?page=1 is the page itself
        query.append((name, value))
    key = path + ("?" + urlencode(sorted(query)) if query else "")
    pattern = re.sub(r"/\d+(?=/|$)", "/<id>", path) + ("?" + "&".join(sorted(n for n, _ in query)) if query else "")
    return key, pattern


# --- the HTML every test here saw, for the Nu Html Checker ---------------------------------

NU_DOCUMENTS: list[tuple[str, str]] = []  # (label, html), validated together by the last test
NU_REPORT_PATH = ARTIFACTS / "nu-report.json"
WHOLE_DOCUMENT = re.compile(r"\s*<!doctype html", re.I)
_htmx_responses: list[tuple[str, str]] = []  # (path, body) of htmx answers since the last keep_state


def _remember_htmx(response: Response) -> None:
    # Read at once: a body is gone once the page navigates away.
    if response.request.headers.get("hx-request") == "true" and \
            response.headers.get("content-type", "").startswith("text/html"):
        _htmx_responses.append((path_of(response.url), response.text()))


def keep_state(page: Page, label: str) -> None:
    """Keep the document as the browser holds it now (after htmx swaps), and every htmx
    response since the last call that is a whole document (fragments are judged in place)."""
    NU_DOCUMENTS.append((label, page.content()))
    while _htmx_responses:
        path, body = _htmx_responses.pop(0)
        if WHOLE_DOCUMENT.match(body):
            NU_DOCUMENTS.append((f"{label}: htmx response {path}", body))


def role_context(browser: Browser, live_server: LiveServer, session_cookie, who: str) -> BrowserContext:
    context = new_context(browser, live_server, bypass_csp=True)
    context.add_init_script(script=AXE_SOURCE)
    _htmx_responses.clear()  # one context at a time here: older responses belong to closed ones
    context.on("response", _remember_htmx)
    if who != "anonymous":
        context.add_cookies([session_cookie(who)])
    return context


CHECKED_BY_ANY_ROLE: set[str] = set()


def crawl(page: Page, audit: Audit) -> list[str]:
    """Visit every page reachable from ``/`` breadth-first, running axe on each; return problems."""
    problems: list[str] = []
    queue: deque[str] = deque(["/"])
    seen: set[str] = {"/"}
    per_pattern: dict[str, int] = {}
    while queue and len(audit.pages) < MAX_PAGES:
        url = queue.popleft()
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # an attachment or export without a telling suffix
                audit.skipped.append(f"{url} (download)")
                continue
            raise
        status = response.status if response else 0
        content_type = response.headers.get("content-type", "") if response else ""
        if not content_type.startswith("text/html"):
            audit.skipped.append(f"{url} ({content_type or 'no content type'})")
            continue
        landed = path_of(page.url)
        if status >= 400:
            problems.append(f"{url} → HTTP {status} (linked from a page {audit.who} can see)")
        if urlsplit(landed).path != urlsplit(url).path:
            problems.append(f"{url} → redirected to {landed}")
        audit.pages.append(url)
        NU_DOCUMENTS.append((f"{audit.who} {url}", response.text() if response else page.content()))
        audit.check(page, url)
        CHECKED_BY_ANY_ROLE.add(url)
        follow(page.evaluate(LINKS), queue, seen, per_pattern)
    return problems


def follow(hrefs: list[str], queue: deque[str], seen: set[str], per_pattern: dict[str, int]) -> None:
    """Queue the links of a page worth visiting, at most MAX_PER_PATTERN per template. Of many
    pages on one template (/notices/12, /notices/13, ...), those no role has checked yet come
    first, so the roles between them cover more of the demo data."""
    found_links = [found for href in hrefs if (found := crawl_key(href))]
    found_links.sort(key=lambda found: found[0] in CHECKED_BY_ANY_ROLE)
    for key, pattern in found_links:
        if key in seen or per_pattern.get(pattern, 0) >= MAX_PER_PATTERN:
            continue
        seen.add(key)
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        queue.append(key)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href") and "download" not in found:
            self.hrefs.append(found["href"] or "")  # HTMLParser has unescaped it, as getAttribute does


def crawl_without_browser(app: Flask, who: str) -> tuple[list[str], list[str]]:
    """The same breadth-first crawl through the test client, keeping every page for the Nu
    check: the PostgreSQL run's share of this module (axe and the browser run once, on
    SQLite; what the database changes is the data on the pages, which Nu still reads)."""
    client = app.test_client()
    if who != "anonymous":
        login_as(client, app, who)
    problems: list[str] = []
    pages: list[str] = []
    queue: deque[str] = deque(["/"])
    seen: set[str] = {"/"}
    per_pattern: dict[str, int] = {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            problems.append(f"{url} → redirected to {response.headers.get('Location')}")
            continue
        if not response.content_type.startswith("text/html"):
            continue
        if response.status_code >= 400:
            problems.append(f"{url} → HTTP {response.status_code} (linked from a page {who} can see)")
        pages.append(url)
        html = response.get_data(as_text=True)
        NU_DOCUMENTS.append((f"{who} {url}", html))
        CHECKED_BY_ANY_ROLE.add(url)
        links = _Links()
        links.feed(html)
        follow(links.hrefs, queue, seen, per_pattern)
    return pages, problems


@pytest.mark.parametrize("who", ROLES)
def test_reachable_pages_have_no_serious_violations(who: str, request: pytest.FixtureRequest) -> None:
    if ON_POSTGRES:
        pages, problems = crawl_without_browser(request.getfixturevalue("e2e_app"), who)
        missing = (MUST_REACH.get(who, set()) | {"/"}) - set(pages)
        assert not missing, f"the crawl as {who} never reached {sorted(missing)}"
        assert not problems, "\n".join(problems)
        return
    browser = request.getfixturevalue("browser")
    live_server = request.getfixturevalue("live_server")
    session_cookie = request.getfixturevalue("session_cookie")
    context = role_context(browser, live_server, session_cookie, who)
    try:
        page = context.new_page()
        audit = Audit(who)
        problems = crawl(page, audit)
        if who == SCREENSHOT_EVERY_PAGE_OF:
            for url in audit.pages:
                page.goto(url)
                shoot(page, f"page-{who}-{slug(url)}")

        # The home page (the dashboard once signed in) at phone width too; the crawl did 1366 px.
        home = ["/", "/login"] if who == "anonymous" else ["/"]
        missing = (MUST_REACH.get(who, set()) | set(home)) - set(audit.pages)
        assert not missing, f"the crawl as {who} never reached {sorted(missing)}"
        page.set_viewport_size({"width": min(WIDTHS), "height": 800})
        for url in home:
            page.goto(url)
            if url == "/" and who != "anonymous":  # the cookie really signed us in
                expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^您好，"))
            audit.check(page, f"{url} @ {min(WIDTHS)}px")
            shoot(page, f"a11y-{who}-{slug(url)}")
        audit.save(who)
    finally:
        context.close()
    assert audit.pages, "nothing was crawled"
    assert not problems, "\n".join(problems)
    audit.assert_clean()


@browser_once
def test_form_error_states_have_no_serious_violations(browser: Browser, live_server, session_cookie) -> None:
    """Errors are where labels and descriptions usually go wrong: check the forms after a bad submit."""
    audit = Audit("form error states")
    # Anonymous: a failed login (the form is swapped in by htmx).
    context = role_context(browser, live_server, session_cookie, "anonymous")
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("用户名", exact=True).fill("teacher2")
        page.get_by_label("密码", exact=True).fill("wrong-password-1")
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
        audit.check(page, "/login (failed)")
        keep_state(page, "/login (failed)")
        page.get_by_label("用户名", exact=True).fill("")
        page.get_by_label("密码", exact=True).fill("")
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.locator("#username-err")).to_be_visible()
        audit.check(page, "/login (empty)")
        keep_state(page, "/login (empty)")
    finally:
        context.close()

    # A teacher: the password form submitted empty.
    context = role_context(browser, live_server, session_cookie, "teacher1")
    try:
        page = context.new_page()
        page.goto("/account/password")
        page.get_by_role("button", name="保存新密码").click()
        expect(page.locator("#current_password-err")).to_be_visible()
        audit.check(page, "/account/password (empty)")
        keep_state(page, "/account/password (empty)")
    finally:
        context.close()

    # The principal: a new notice saved with nothing chosen or written.
    context = role_context(browser, live_server, session_cookie, "principal")
    try:
        page = context.new_page()
        page.goto("/notices/new")
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator("#catalog_item_id-err")).to_be_visible()
        audit.check(page, "/notices/new (empty)")
        keep_state(page, "/notices/new (empty)")
    finally:
        context.close()

    # The administrator: an empty new account, a bad filter, an htmx search and a bad roster.
    context = role_context(browser, live_server, session_cookie, "admin")
    try:
        page = context.new_page()
        page.goto("/admin/users/new")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator("#username-err")).to_be_visible()
        audit.check(page, "/admin/users/new (empty)")
        keep_state(page, "/admin/users/new (empty)")
        shoot(page, "a11y-admin-new-user-empty")

        page.goto("/admin/users")
        with page.expect_response(lambda r: "/admin/users?" in r.url and r.request.headers.get("hx-request") == "true"):
            page.get_by_label("姓名、工号或用户名", exact=True).fill("rep1")
        expect(page.locator("#user_table")).to_contain_text("rep10")
        audit.check(page, "/admin/users (htmx search)")
        keep_state(page, "/admin/users (htmx search)")

        page.goto("/audit/?since=not-a-date")
        audit.check(page, "/audit/?since=not-a-date")
        keep_state(page, "/audit/?since=not-a-date")

        page.goto("/admin/roster")
        page.get_by_label(re.compile("名册文件")).set_input_files({
            "name": "roster.csv", "mimeType": "text/csv",
            "buffer": "工号,姓名,用户名,部门,党员,角色\nYG1001,,,没有这个部门,也许,\n".encode("utf-8"),
        })
        page.get_by_role("button", name="上传并导入").click()
        expect(page.get_by_role("alert")).to_contain_text("没有导入任何账号")
        audit.check(page, "/admin/roster (errors)")
        keep_state(page, "/admin/roster (errors)")
        shoot(page, "a11y-roster-errors")
    finally:
        context.close()
    audit.save("form-errors")
    audit.assert_clean()


@pytest.mark.skipif(not ON_POSTGRES, reason="on SQLite the browser checks these states with axe and keeps them for Nu")
def test_form_error_states_are_kept_for_nu_without_the_browser(e2e_app: Flask) -> None:
    """The same bad submissions as the browser's form-state test, sent through the test client
    as whole pages, so the PostgreSQL run's Nu batch holds the error states too."""
    from io import BytesIO

    def as_(who: str):
        client = e2e_app.test_client()
        if who != "anonymous":
            login_as(client, e2e_app, who)
        return client

    def keep(label: str, resp, expected: str) -> None:
        html = resp.get_data(as_text=True)
        assert resp.status_code < 500 and expected in html, (label, resp.status_code)
        NU_DOCUMENTS.append((label, html))

    anonymous = as_("anonymous")
    keep("/login (failed)", anonymous.post("/login", data={"username": "teacher2", "password": "wrong-password-1"}),
         "用户名或密码错误。")
    keep("/login (empty)", anonymous.post("/login", data={"username": "", "password": ""}), 'id="username-err"')
    keep("/account/password (empty)", as_("teacher1").post("/account/password", data={}), 'id="current_password-err"')
    keep("/notices/new (empty)", as_("principal").post("/notices/new", data={}), 'id="catalog_item_id-err"')
    admin = as_("admin")
    keep("/admin/users/new (empty)", admin.post("/admin/users/new", data={}), 'id="username-err"')
    keep("/admin/users?q=rep1", admin.get("/admin/users?q=rep1"), "rep10")
    keep("/audit/?since=not-a-date", admin.get("/audit/?since=not-a-date"), "<main")
    roster = "工号,姓名,用户名,部门,党员,角色\nYG1001,,,没有这个部门,也许,\n".encode("utf-8")
    keep("/admin/roster (errors)", admin.post("/admin/roster", data={"file": (BytesIO(roster), "roster.csv")},
                                              content_type="multipart/form-data"), "没有导入任何账号")


@browser_once
def test_axe_reports_a_planted_violation(browser: Browser, live_server, session_cookie) -> None:
    """Guard against a silently empty audit: an image without alt text must be reported."""
    context = role_context(browser, live_server, session_cookie, "anonymous")
    try:
        page = context.new_page()
        page.goto("/")
        page.evaluate("() => document.getElementById('main').insertAdjacentHTML("
                      "'beforeend', '<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\">')")
        audit = Audit("planted")
        audit.check(page)
    finally:
        context.close()
    assert "image-alt" in {f.rule for f in audit.failing}


PLANTED_LABEL = '<section id="planted" class="card" aria-labelledby="no-such-heading"></section>'


@browser_once
def test_a_label_pointing_at_a_missing_id_is_caught_by_axe(browser: Browser, live_server, session_cookie) -> None:
    """The class axe 4.14 files under "incomplete": ``aria-labelledby`` to an id not on the page
    (an empty section like the old objections box) fails the crawl's axe check (and the Nu
    check, in the batch of the last test)."""
    context = role_context(browser, live_server, session_cookie, "teacher1")
    try:
        page = context.new_page()
        page.goto("/")
        audit = Audit("planted label")
        audit.check(page)
        assert not audit.failing, "the page is not clean before planting"
        page.evaluate("html => document.getElementById('main').insertAdjacentHTML('beforeend', html)", PLANTED_LABEL)
        audit.check(page)
    finally:
        context.close()
    caught = [f for f in audit.failing if "#planted" in f.targets]
    assert caught, "the axe check did not fail on aria-labelledby to a missing id"


def _planted_document(app: Flask) -> str:
    """teacher1's dashboard with a section labelled by an id that is not on the page."""
    client = app.test_client()
    login_as(client, app, "teacher1")
    html = client.get("/").get_data(as_text=True)
    assert "</main>" in html
    return html.replace("</main>", PLANTED_LABEL + "</main>", 1)


def test_every_page_seen_is_valid_html(request: pytest.FixtureRequest, e2e_app: Flask) -> None:
    """The Nu Html Checker over every document the tests above kept, in one run (one JVM
    start); 0 errors. A planted ``aria-labelledby`` to a missing id rides in the same batch
    and must be the one error Nu reports for it (a check that cannot fail proves nothing)."""
    if not NU_DOCUMENTS:
        pytest.skip("no page was kept: the crawl tests of this module did not run")
    planted_label = "planted label (must fail)"
    every = [*NU_DOCUMENTS, (planted_label, _planted_document(e2e_app))]
    full = nu.check(every, ARTIFACTS / "nu")
    assert [e.message for e in full.errors if e.document == planted_label] == [
        "The “aria-labelledby” attribute must point to an element in the same document."
    ]
    report = nu.NuReport(len(NU_DOCUMENTS), [e for e in full.errors if e.document != planted_label],
                         [w for w in full.warnings if w.document != planted_label], full.filtered_hx)
    summary = report.summary()
    request.config.stash[NU_SUMMARY] = summary
    NU_REPORT_PATH.write_text(json.dumps({
        "summary": summary, "pages": [label for label, _ in NU_DOCUMENTS],
        "errors": [e.__dict__ for e in report.errors], "warnings": [w.__dict__ for w in report.warnings],
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    assert not report.errors, summary + ":\n" + "\n".join(e.line_text() for e in report.errors[:60])
