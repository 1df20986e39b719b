"""Browser tests: the real app on a real port, driven by Debian's Chromium through Playwright.

* Each test module gets a fresh database (SQLite file or the PostgreSQL test schema, see
  ``tests/conftest.py``) with the demo school seeded, served by werkzeug on 127.0.0.1.
* One headless Chromium for the whole run (``/usr/bin/chromium``; never ``playwright install``).
* Each test gets a new browser context (locale zh-CN) and page; the page fixture fails the
  test on JavaScript errors and console errors (CSP violations included).
* The server records every 5xx it sends; any 5xx fails the test that caused it.
* Screenshots go to ``tests/artifacts/<database>/`` (gitignored; sqlite or postgresql) at 375 px and 1366 px.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sqlalchemy import select
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from portal.seed.demo import DEMO_PASSWORD  # noqa: F401 - re-exported for the test modules
from tests.conftest import ON_POSTGRES, Client, _clean_postgres, _config, login_as, postgres_database

E2E_DIR = Path(__file__).resolve().parent
# One folder per database, so the two databases' runs can go at the same time (harness.sh all).
ARTIFACTS = E2E_DIR.parent / "artifacts" / ("postgresql" if ON_POSTGRES else "sqlite")
AXE_SOURCE_PATH = E2E_DIR.parent / "vendor" / "axe-core-4.14.1.min.js"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (375, 1366)
DESKTOP = {"width": 1366, "height": 900}
TIMEOUT_MS = 10_000  # generous for 2 slow cores; waits end as soon as the condition holds
SESSION_COOKIE = "portal_session"

expect.set_options(timeout=TIMEOUT_MS)
# The Nu Html Checker's figures (tests/e2e/test_accessibility.py), shown at the end of the run.
NU_SUMMARY = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test (``-m "not e2e"`` skips the browser)."""
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if summary := config.stash.get(NU_SUMMARY, None):
        terminalreporter.write_line(summary)


# --- the app on a real port ----------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:  # no access log in test output
        pass


class LiveServer:
    """The app served by werkzeug in a background thread; ``errors`` lists every 5xx sent."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.errors: list[str] = []
        self._lock = threading.Lock()

        @app.after_request
        def _remember_5xx(resp):  # test-side hook on this app instance only
            if resp.status_code >= 500:
                with self._lock:
                    self.errors.append(f"{request.method} {request.full_path.rstrip('?')} → {resp.status_code}")
            return resp

        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="e2e-server", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def take_errors(self) -> list[str]:
        with self._lock:
            errors, self.errors = self.errors, []
        return errors


@pytest.fixture(scope="session")
def demo_school(template_db: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo school, seeded once per run: (a SQLite file, or a PostgreSQL database to
    clone, and the folder of its uploaded files). Each module gets a copy (``e2e_app``)."""
    from portal.seed import demo

    directory = tmp_path_factory.mktemp("demo")
    if ON_POSTGRES:  # a copy of the migrated test database, emptied first
        _clean_postgres(template_db)
        url = postgres_database("portal_demo", template=make_url(template_db).database)
    else:
        url = f"sqlite:///{directory / 'demo.sqlite3'}"
        shutil.copyfile(template_db, directory / "demo.sqlite3")
    app = create_app(_config(url, UPLOAD_DIR=str(directory / "uploads")))
    with app.app_context():
        demo.seed(db.session, app.config["UPLOAD_DIR"])
        db.session.commit()
        db.session.close()
        db.engine.dispose()
    return url, directory / "uploads"


@pytest.fixture(scope="module")
def e2e_app(demo_school: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A copy of the demo school for this module (a file copy, or CREATE DATABASE … TEMPLATE)."""
    url, uploads = demo_school
    directory = tmp_path_factory.mktemp("e2e")
    if ON_POSTGRES:
        url = postgres_database("portal_e2e", template=make_url(url).database)
    else:
        shutil.copyfile(make_url(url).database or "", directory / "e2e.sqlite3")
        url = f"sqlite:///{directory / 'e2e.sqlite3'}"
    shutil.copytree(uploads, directory / "uploads")
    app = create_app(_config(url, UPLOAD_DIR=str(directory / "uploads")))
    app.test_client_class = Client  # sends the CSRF token, as htmx does
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(e2e_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(e2e_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any e2e test during which the app answered with a 5xx."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server: LiveServer = request.getfixturevalue("live_server")
    server.take_errors()
    yield
    errors = server.take_errors()
    assert not errors, "the app sent server errors:\n" + "\n".join(errors)


@pytest.fixture(scope="module")
def session_cookie(e2e_app: Flask, live_server: LiveServer) -> Callable[[str], dict[str, str]]:
    """A signed-in session cookie for a demo user, written as the login view writes it.

    Skips the scrypt check (0.6 s per login); only the login tests sign in through the form.
    """

    def make(username: str) -> dict[str, str]:
        client = e2e_app.test_client()
        login_as(client, e2e_app, username)
        cookie = client.get_cookie(SESSION_COOKIE)
        assert cookie is not None, f"no session cookie for {username}"
        return {"name": SESSION_COOKIE, "value": cookie.value, "url": live_server.url}

    return make


# --- the browser ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (bash tests/harness.sh does it as root)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_context(browser: Browser, server: LiveServer, **options: Any) -> BrowserContext:
    """A fresh profile: Chinese locale, desktop width, the live server as base URL."""
    options.setdefault("locale", "zh-CN")
    options.setdefault("viewport", dict(DESKTOP))
    context = browser.new_context(base_url=server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = new_context(browser, live_server)
    yield context
    context.close()


class PageProblems:
    """JavaScript errors and console errors seen by a page (CSP violations land here)."""

    IGNORED = (re.compile(r"/favicon\.ico$"),)
    # A step refused in place (portal.web.REFUSED) is an answer the page shows, not a fault;
    # Chromium still logs every 4xx response as a console error.
    REFUSED = re.compile(r"the server responded with a status of 422\b")

    def __init__(self, page: Page) -> None:
        self.items: list[str] = []
        page.on("pageerror", lambda exc: self.items.append(f"page error: {exc}"))
        page.on("console", self._console)

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if any(p.search(url) for p in self.IGNORED) or self.REFUSED.search(msg.text):
            return
        self.items.append(f"console error at {url or '?'}: {msg.text}")


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    problems = PageProblems(page)
    yield page
    assert not problems.items, "the browser reported errors:\n" + "\n".join(problems.items)


# --- helpers the browser tests share ---------------------------------------------------

def in_app(app: Flask, fn: Callable[[Any], Any]) -> Any:
    """``fn(session)`` inside an app context of ``app``, committed; what it returned."""
    with app.app_context():
        out = fn(db.session)
        db.session.commit()
        return out


def user(session: Any, username: str) -> Any:
    from portal.auth.models import User

    return session.scalar(select(User).where(User.username == username))


# What sticks out: the page wider than the window (or, for a screen, taller), and elements of
# ``root`` past the right edge (for a screen, past any edge), or past their ``panel``'s box.
OVERFLOW = """(o) => {
  const doc = document.documentElement, w = doc.clientWidth, h = window.innerHeight, out = [];
  const say = (el, r) => el.tagName + "." + el.className + " «" + (el.textContent || "").trim().slice(0, 30) + "» "
    + JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round));
  if (doc.scrollWidth > w + 1) out.push("page width " + doc.scrollWidth);
  if (o.screen && doc.scrollHeight > h + 1) out.push("page height " + doc.scrollHeight);
  for (const el of document.querySelectorAll(o.root + " *")) {
    if (o.skip && el.closest(o.skip) && !(o.keep && el.closest(o.keep))) continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.right > w + 1 || (o.screen && (r.bottom > h + 1 || r.top < -1 || r.left < -1))) out.push(say(el, r));
    const panel = o.panel && el.closest(o.panel);
    if (panel && panel !== el) {
      const p = panel.getBoundingClientRect();
      if (r.bottom > p.bottom + 1 || r.right > p.right + 1) out.push("clipped " + say(el, r));
    }
  }
  return out.slice(0, 10);
}"""


def overflow(page: Page, root: str = "main", *, screen: bool = False, skip: str | None = None,
             keep: str | None = None, panel: str | None = None) -> list[str]:
    """What sticks out of the window on ``page`` (see ``OVERFLOW``): ``screen`` for a display
    that cannot scroll; elements inside ``skip`` are left out unless also inside ``keep``."""
    found: list[str] = page.evaluate(OVERFLOW, {"root": root, "screen": screen, "skip": skip, "keep": keep,
                                                "panel": panel})
    return found


# --- screenshots ---------------------------------------------------------------------

def shoot(page: Page, name: str, widths: tuple[int, ...] = WIDTHS) -> list[Path]:
    """Full-page screenshots of the current page at each width, then the old size back."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or DESKTOP
    paths = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        path = ARTIFACTS / f"{name}-{width}.png"
        # caret="initial": hiding the caret leaves style="" on every input, and htmx's settle
        # step then copies that attribute with setAttribute, which the CSP reports.
        page.screenshot(path=str(path), full_page=True, caret="initial")
        paths.append(path)
    page.set_viewport_size(before)
    return paths
