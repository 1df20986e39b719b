"""The benchmark behind ``make bench`` (see QUALITY.md "Performance benchmark protocol").

For each seeded database (1,000 and 10,000 notices, made by ``flask seed-bench``):

* in-process: the SQL statements each page runs (count, and the query plan of each:
  SQLite ``EXPLAIN QUERY PLAN``), through Flask's test client;
* under gunicorn (2 sync workers, loopback) next to a bare Flask "hello" app under the same
  settings (the floor): each page loaded with wrk (or a small Python load generator when wrk
  is missing), floor and page runs interleaved so machine noise cancels; req/s as a share of
  the floor, p95 against the floor's p95, p99;
* the bytes of a first page load (HTML, CSS, JS) as sent and gzipped, the caching headers of
  the static files, and the resident memory of each worker after the run.

Results go to ``benchmarks/runs/latest.json`` and ``benchmarks/RESULTS.md`` (date, machine,
commit). Text under the ``<!-- notes -->`` marker of RESULTS.md is kept; a ``runs/before.json``
adds a before/after table. Never run as a unit test.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

# (key, label, path, signed in)
PAGES: list[tuple[str, str, str, bool]] = [
    ("healthz", "/healthz", "/healthz", False),
    ("home_anon", "/ anonymous", "/", False),
    ("school_anon", "/notices/school anonymous", "/notices/school", False),
    ("school_user", "/notices/school signed in", "/notices/school", True),
    ("search", "/notices/search?q=绩效工资", "/notices/search?q=" + quote("绩效工资"), False),
    ("feed", "/feeds/school.atom", "/feeds/school.atom", False),
    ("home_user", "/ signed in (teacher1)", "/", True),
    ("proposals_user", "/proposals (register) signed in", "/proposals", True),
    ("inbox_badge", "/inbox/badge signed in", "/inbox/badge", True),
    # Decisions (issue 10): the resolution tracker (500 resolutions with reports), as the public
    # and a staff member see it, and the latest Party meeting of the bench seed (ten items, each
    # with its stances and a vote) as the Party secretary, who holds a seat (see PAGE_USER).
    ("tracker_anon", "/tracker anonymous", "/tracker", False),
    ("tracker_user", "/tracker signed in", "/tracker", True),
    ("meeting_party", "/decisions/meetings/<id> (Party, 10 items) as secretary", "/decisions/meetings/{meeting}", True),
    # The congress (issue 8): the open session of the demo seed, its open motion, and the hall
    # display's poll (the token is read from the database: see expand()). Votes: vote_burst.py.
    ("congress_session", "/congress/sessions/2 signed in", "/congress/sessions/2", True),
    ("congress_poll", "/congress/polls/5 signed in", "/congress/polls/5", True),
    ("congress_hall", "/congress/hall/<token> (htmx poll)", "/congress/hall/{hall}", False),
    # Issue 23: the pages staff open signed in, one of each kind, and the session page's presence
    # block as its 15-second htmx poll asks for it (see PAGE_USER and PAGE_HEADERS).
    ("notice_user", "/notices/<id> (a notice) as teacher1", "/notices/{notice}", True),
    ("proposal_user", "/proposals/<id> (a proposal) as rep1", "/proposals/{proposal}", True),
    ("resolution_user", "/resolutions/<id> as secretary", "/resolutions/{resolution}", True),
    ("congress_presence", "/congress/sessions/2?block=presence (15-second poll) as rep1",
     "/congress/sessions/2?block=presence", True),
]
TOKENS: dict[str, str] = {}


def expand(path: str) -> str:
    """A page's path with the values read from this database (the hall display token)."""
    return path.format(**TOKENS) if "{" in path else path


def read_tokens(url: str) -> None:
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        row = conn.execute("SELECT display_token FROM congress_session WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()
        meeting = conn.execute("SELECT m.id FROM dec_meeting m JOIN dec_item i ON i.meeting_id = m.id "
                               "WHERE m.body = 'party' GROUP BY m.id HAVING count(*) >= 10 "
                               "ORDER BY m.held_on DESC, m.id DESC LIMIT 1").fetchone()
        notice = conn.execute("SELECT id FROM notice WHERE status = 'published' AND is_current = 1 AND channel = 'school' "
                              "AND audience = 'staff' AND gongshi_days > 0 ORDER BY published_at DESC LIMIT 1").fetchone()
        proposal = conn.execute("SELECT id FROM proposal WHERE status = 'assigned' ORDER BY id DESC LIMIT 1").fetchone()
        resolution = conn.execute("SELECT id FROM dec_resolution WHERE visibility = 'staff' ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    TOKENS["notice"] = str(notice[0]) if notice else "0"
    TOKENS["proposal"] = str(proposal[0]) if proposal else "0"
    TOKENS["resolution"] = str(resolution[0]) if resolution else "0"
    TOKENS["hall"] = row[0] if row else "missing-token-0000"
    TOKENS["meeting"] = str(meeting[0]) if meeting else "0"


USER, PASSWORD = "teacher1", "demo-2026"
# Pages measured signed in as someone other than USER (all demo users share PASSWORD).
PAGE_USER: dict[str, str] = {"meeting_party": "secretary", "proposals_user": "rep1", "proposal_user": "rep1",
                             "tracker_user": "secretary", "resolution_user": "secretary", "congress_session": "rep1",
                             "congress_poll": "rep1", "congress_presence": "rep1"}
# Request headers of a page beyond its cookie: the presence block is an htmx poll, and the
# unread badge is asked with the ETag its browser holds (its 304 is what the badge costs).
PAGE_HEADERS: dict[str, dict[str, str]] = {"congress_presence": {"HX-Request": "true"}}


def headers_of(key: str, port: int | None = None, cookie: str | None = None) -> dict[str, str]:
    headers = dict(PAGE_HEADERS.get(key, {}))
    if key == "inbox_badge" and port is not None and cookie:
        _status, got, _body = get(port, "/inbox/badge", {"Cookie": cookie})
        if got.get("etag"):
            headers["If-None-Match"] = got["etag"]
    return headers


def user_of(key: str) -> str:
    return PAGE_USER.get(key, USER)


EXTRA_ENV: dict[str, str] = {}
TARGET_SHARE = {"healthz": 0.60, "home_user": 0.20, "school_user": 0.20, "notice_user": 0.20,
                "proposals_user": 0.20, "proposal_user": 0.20, "tracker_user": 0.20, "resolution_user": 0.20,
                "meeting_party": 0.15, "congress_session": 0.20, "congress_poll": 0.20, "congress_presence": 0.40,
                "inbox_badge": 0.50}
DEFAULT_SHARE = 0.30


# --- servers ---------------------------------------------------------------------------

def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Gunicorn:
    """``gunicorn --workers 2 --worker-class sync`` on loopback; the same settings for both apps."""

    def __init__(self, app: str, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", app],
            cwd=str(ROOT), env={**os.environ, **env}, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = get(self.port, "/healthz" if "wsgi" in app else "/")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {app} did not start")

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [round(int(v) / 1024, 1) for v in out.stdout.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def get(port: int, path: str, headers: dict[str, str] | None = None,
        method: str = "GET", body: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        hdrs: dict[str, str] = {}
        for k, v in resp.getheaders():
            hdrs[k.lower()] = (hdrs[k.lower()] + ", " + v) if k.lower() in hdrs else v
        return resp.status, hdrs, data
    finally:
        conn.close()


def login(port: int, username: str = USER) -> str:
    """Sign in as ``username`` through the login form; return the Cookie header value."""
    status, headers, body = get(port, "/login")
    cookie = re.search(r"(?:^|, )(portal_session=[^;]+)", headers["set-cookie"]).group(1)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or \
        re.search(rb'name="csrf_token" value="([^"]+)"', body)
    assert token, "no CSRF token on the login page"
    form = f"csrf_token={quote(token.group(1).decode())}&username={username}&password={quote(PASSWORD)}&next="
    status, headers, _ = get(port, "/login", {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
                             method="POST", body=form)
    assert status in (302, 303), f"login failed: {status}"
    # The session cookie, not the device cookie the login also sets (Path=/login).
    found = re.search(r"(?:^|, )(portal_session=[^;]+)", headers["set-cookie"])
    assert found, headers["set-cookie"]
    return found.group(1)


# --- load ------------------------------------------------------------------------------

def load(port: int, path: str, cookie: str | None, seconds: float, connections: int, threads: int,
         extra: dict[str, str] | None = None) -> dict[str, Any]:
    if shutil.which("wrk"):
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--timeout", "10s",
               "-s", str(HERE / "report.lua")]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        for name, value in (extra or {}).items():
            cmd += ["-H", f"{name}: {value}"]
        cmd.append(f"http://127.0.0.1:{port}{path}")
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        line = [ln for ln in out.splitlines() if ln.startswith("{")][-1]
        r = json.loads(line)
        return {"rps": r["rps"], "p50": r["p50"] / 1000, "p95": r["p95"] / 1000, "p99": r["p99"] / 1000,
                "errors": r["errors"] + r["non2xx"], "requests": r["requests"], "tool": "wrk"}
    return py_load(port, path, cookie, seconds, connections, extra)


def py_load(port: int, path: str, cookie: str | None, seconds: float, connections: int,
            extra: dict[str, str] | None = None) -> dict[str, Any]:
    """A small closed-loop load generator: ``connections`` threads, one request at a time each."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}
    headers.update(extra or {})

    def worker() -> None:
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                status, _, _ = get(port, path, headers)
                if status >= 300 and not (status == 304 and "If-None-Match" in headers):
                    bad += 1
            except OSError:
                bad += 1
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"rps": len(latencies) / elapsed, "p50": q[49], "p95": q[94], "p99": q[98], "errors": errors[0],
            "requests": len(latencies), "tool": "python"}


# --- in-process: statements and plans ----------------------------------------------------------

def statements_per_page(url: str) -> dict[str, Any]:
    """Run each page once through the test client and record its SQL and query plans."""
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    # The page cache is off here: these are the statements of a page that must be rendered.
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "PAGE_CACHE": False,
                      "LOGIN_MAX_PER_PAIR": 1000, "LOGIN_MAX_PER_ADDRESS": 1000, "LOGIN_MAX_PER_ACCOUNT": 1000})
    result: dict[str, Any] = {}
    with app.app_context():
        engine = db.engine
    captured: list[tuple[str, Any]] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        captured.append((statement, parameters))

    anon = app.test_client()
    users: dict[str, Any] = {}
    for name in {user_of(key) for key, _l, _p, signed in PAGES if signed}:
        users[name] = app.test_client()
        r = users[name].post("/login", data={"username": name, "password": PASSWORD, "next": ""})
        assert r.status_code in (302, 303), (name, r.status_code)
    for key, _label, path, signed in PAGES:
        path = expand(path)
        client = users[user_of(key)] if signed else anon
        headers = headers_of(key)
        client.get(path, headers=headers)  # warm
        captured.clear()
        event.listen(engine, "before_cursor_execute", before)
        try:
            status = client.get(path, headers=headers).status_code
        finally:
            event.remove(engine, "before_cursor_execute", before)
        assert status == 200, (path, status)
        plans = []
        with engine.connect() as conn:
            for statement, params in captured:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")) or statement.strip() == "SELECT 1":
                    continue
                if engine.dialect.name == "sqlite":
                    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
                    plan = [str(r[-1]) for r in rows]
                else:
                    rows = conn.exec_driver_sql("EXPLAIN " + statement, params).all()
                    plan = [str(r[0]) for r in rows]
                plans.append({"sql": " ".join(statement.split()), "plan": plan})
        result[key] = {"statements": len(captured), "plans": plans}
    with app.app_context():
        db.engine.dispose()
    return result


def _pg_problem(line: str) -> bool:
    """A sequential scan of notice, or a full sort of more than 50 rows (PostgreSQL)."""
    if re.search(r"Seq Scan on notice\b", line):
        return True
    m = re.search(r"(?<!Incremental )\bSort\s+\(cost=[\d.]+\.\.[\d.]+ rows=(\d+)", line)
    return bool(m and int(m.group(1)) > 50)


def plan_problems(plan: list[str]) -> list[str]:
    """Full scans and temporary sorts of the big tables in one SQLite plan."""
    bad = []
    for line in plan:
        if re.search(r"\bSCAN (notice|notice_ack|notice_objection|audit_event)\b(?! USING)", line) and \
                "COVERING INDEX" not in line:
            bad.append(line)
        if "TEMP B-TREE" in line:
            bad.append(line)
    return bad


# --- first page load ------------------------------------------------------------------------

def first_page(port: int) -> dict[str, Any]:
    """Bytes of a first anonymous visit to / with its CSS and JS, as sent and gzipped."""
    enc = {"Accept-Encoding": "gzip"}
    status, headers, body = get(port, "/", enc)
    html = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    assets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(rb'<script src="([^"]+)"', html)
    files = [{"url": "/", "sent": len(body), "raw": len(html), "gzip": len(gzip.compress(html, 6)),
              "encoding": headers.get("content-encoding", ""), "cache": headers.get("cache-control", "")}]
    for href in assets:
        url = href.decode()
        path = urlsplit(url).path + (("?" + urlsplit(url).query) if urlsplit(url).query else "")
        st, h, b = get(port, path, enc)
        raw = gzip.decompress(b) if h.get("content-encoding") == "gzip" else b
        files.append({"url": url, "sent": len(b), "raw": len(raw), "gzip": len(gzip.compress(raw, 6)),
                      "encoding": h.get("content-encoding", ""), "cache": h.get("cache-control", "")})
    return {"files": files, "sent": sum(f["sent"] for f in files), "raw": sum(f["raw"] for f in files),
            "gzip": sum(f["gzip"] for f in files),
            "revalidated_on_return": sum(1 for f in files[1:] if "immutable" not in f["cache"]
                                         and "max-age" not in f["cache"])}


# --- one size --------------------------------------------------------------------------------

def run_size(db_path: Path, seconds: float, connections: int, threads: int, rounds: int) -> dict[str, Any]:
    url = f"sqlite:///{db_path}"
    subprocess.run([str(BIN / "flask"), "--app", "portal", "init-db"], cwd=str(ROOT), check=True,
                   env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}, capture_output=True)
    read_tokens(url)
    print(f"  statements and plans ({db_path.name})", flush=True)
    inproc = statements_per_page(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench", **EXTRA_ENV}
    portal = Gunicorn("wsgi:app", env, workers=2)
    floor = Gunicorn("benchmarks.hello:app", {}, workers=2)
    try:
        cookies = {name: login(portal.port, name) for name in {user_of(k) for k, _l, _p, s in PAGES if s}}
        fp = first_page(portal.port)
        extra = {key: headers_of(key, portal.port, cookies[user_of(key)] if signed else None)
                 for key, _l, _p, signed in PAGES}
        for key, _label, path, signed in PAGES:  # each page answers what it should (wrk counts only 4xx/5xx)
            status, _h, _b = get(portal.port, expand(path), {**extra[key], **({"Cookie": cookies[user_of(key)]} if signed else {})})
            assert status == (304 if "If-None-Match" in extra[key] else 200), (path, status)
        for key, _label, path, signed in PAGES:  # warm every worker
            load(portal.port, expand(path), cookies[user_of(key)] if signed else None, 1, connections, threads,
                 extra[key])
        load(floor.port, "/", None, 1, connections, threads)
        pages: dict[str, Any] = {}
        floor_runs: list[dict[str, Any]] = []
        for _ in range(rounds):
            previous = load(floor.port, "/", None, seconds, connections, threads)
            floor_runs.append(previous)
            for key, label, path, signed in PAGES:
                print(f"  {label}", flush=True)
                page = load(portal.port, expand(path), cookies[user_of(key)] if signed else None, seconds, connections,
                            threads, extra[key])
                after = load(floor.port, "/", None, seconds, connections, threads)
                floor_runs.append(after)
                f_rps = (previous["rps"] + after["rps"]) / 2
                f_p95 = (previous["p95"] + after["p95"]) / 2
                entry = pages.setdefault(key, {"label": label, "path": path, "runs": []})
                entry["runs"].append({**page, "floor_rps": f_rps, "floor_p95": f_p95,
                                      "share": page["rps"] / f_rps, "p95_ratio": page["p95"] / f_p95 if f_p95 else 0})
                previous = after
        for entry in pages.values():
            runs = entry.pop("runs")
            for k in ("rps", "p50", "p95", "p99", "floor_rps", "floor_p95", "share", "p95_ratio"):
                entry[k] = statistics.median(r[k] for r in runs)
            entry["errors"] = sum(r["errors"] for r in runs)
            entry["tool"] = runs[0]["tool"]
        rss = portal.worker_rss_mb()
    finally:
        portal.stop()
        floor.stop()
    return {"pages": pages, "statements": inproc, "first_page": fp, "rss_mb": rss,
            "floor_rps": statistics.median(r["rps"] for r in floor_runs),
            "floor_p95": statistics.median(r["p95"] for r in floor_runs)}


# --- report ----------------------------------------------------------------------------------

def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(next(ln.split()[1] for ln in open("/proc/meminfo") if ln.startswith("MemTotal")))
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} × {cpu}{mem}, " \
           f"Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}"


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=str(ROOT), capture_output=True, text=True).stdout.strip()
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    return git("rev-parse", "--short", "HEAD") + dirty


def pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def render(run: dict[str, Any], before: dict[str, Any] | None, notes: str) -> str:
    sizes = sorted(run["sizes"], key=int)
    big, small = sizes[-1], sizes[0]
    B, S = run["sizes"][big], run["sizes"][small]
    out = [
        "# Benchmark results",
        "",
        f"- date: {run['date']}",
        f"- machine: {run['machine']}",
        f"- commit: {run['commit']}",
        f"- load: {run['tool']}, {run['threads']} threads, {run['connections']} connections, {run['seconds']} s per run,"
        f" {run['rounds']} round(s); gunicorn 2 sync workers on loopback for the portal and for the floor"
        " (bare Flask \"hello\"), floor runs interleaved before and after every page run"
        + (f"; portal environment {' '.join(run.get('env', []))}" if run.get("env") else ""),
        f"- data: `flask seed-bench` (300 staff) with {int(small):,} and {int(big):,} notices; SQLite",
        "",
        f"Floor at {int(big):,}: {B['floor_rps']:.0f} req/s, p95 {B['floor_p95']:.1f} ms.",
        "",
        f"| page | share of floor ({int(big):,}) | p95 ms / × floor | p99 ms | share of floor ({int(small):,}) |"
        f" cost {int(big):,} / {int(small):,} | queries {int(small):,} / {int(big):,} | target share | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label, _path, _signed in PAGES:
        b, s = B["pages"][key], S["pages"][key]
        cost = s["rps"] / b["rps"] if b["rps"] else 0
        qs, qb = S["statements"][key]["statements"], B["statements"][key]["statements"]
        target = TARGET_SHARE.get(key, DEFAULT_SHARE)
        mark = "✓" if b["share"] >= target else "✗"
        out.append(f"| `{label}` | {pct(b['share'])} {mark} | {b['p95']:.1f} / {b['p95_ratio']:.1f}× | {b['p99']:.1f} |"
                   f" {pct(s['share'])} | {cost:.2f}× | {qs} / {qb} | ≥ {pct(target)} | {b['errors'] + s['errors']} |")
    fp = B["first_page"]
    out += [
        "",
        "## First page load (anonymous `/` with its CSS and JS)",
        "",
        f"As sent: **{fp['sent'] / 1024:.1f} KB** ({fp['raw'] / 1024:.1f} KB uncompressed, {fp['gzip'] / 1024:.1f} KB"
        f" if gzipped). Static files a returning visitor must revalidate: {fp['revalidated_on_return']}.",
        "",
        "| file | sent | uncompressed | gzip | Content-Encoding | Cache-Control |",
        "|---|---|---|---|---|---|",
    ]
    for f in fp["files"]:
        out.append(f"| `{f['url']}` | {f['sent']:,} | {f['raw']:,} | {f['gzip']:,} | {f['encoding'] or '—'} |"
                   f" {f['cache'] or '—'} |")
    out += ["", f"Resident memory per worker after the run ({int(big):,}): "
            + ", ".join(f"{m:.0f} MB" for m in B["rss_mb"]) + f"; at {int(small):,}: "
            + ", ".join(f"{m:.0f} MB" for m in S["rss_mb"]) + "."]
    if before:
        out += ["", "## Before and after", "",
                f"Before: {before['date']}, commit {before['commit']}. After: this run.", "",
                f"| page | share before | share after | p95 × floor before | after | queries before | after |"
                f" cost {int(big):,}/{int(small):,} before | after |",
                "|---|---|---|---|---|---|---|---|---|"]
        for key, label, _path, _signed in PAGES:
            try:
                ob = before["sizes"][big]["pages"][key]
                obs = before["sizes"][small]["pages"][key]
                oq = before["sizes"][big]["statements"][key]["statements"]
            except KeyError:
                continue
            nb, ns = B["pages"][key], S["pages"][key]
            out.append(f"| `{label}` | {pct(ob['share'])} | **{pct(nb['share'])}** | {ob['p95_ratio']:.1f}× |"
                       f" **{nb['p95_ratio']:.1f}×** | {oq} | {B['statements'][key]['statements']} |"
                       f" {obs['rps'] / ob['rps']:.2f}× | {ns['rps'] / nb['rps']:.2f}× |")
        ofp = before["sizes"][big]["first_page"]
        out.append(f"| first page load, as sent | {ofp['sent'] / 1024:.1f} KB | **{fp['sent'] / 1024:.1f} KB** |"
                   f" static revalidations | {ofp['revalidated_on_return']} | **{fp['revalidated_on_return']}** | | | |")
        out.append(f"| RSS per worker | {max(before['sizes'][big]['rss_mb'] or [0]):.0f} MB |"
                   f" **{max(B['rss_mb'] or [0]):.0f} MB** | | | | | | |")
    out += ["", f"## Query plans at {int(big):,} notices (SQLite `EXPLAIN QUERY PLAN`)", "",
            "Every SELECT each page runs, with its plan; ⚠ marks a full scan or a temporary sort of a big table.", ""]
    for key, label, _path, _signed in PAGES:
        out += [f"### `{label}`", ""]
        for p in B["statements"][key]["plans"]:
            sql = p["sql"] if len(p["sql"]) < 400 else p["sql"][:400] + " …"
            flag = " ⚠" if plan_problems(p["plan"]) else ""
            out += ["```sql", sql, "```", "```" + flag, *p["plan"], "```"]
        out.append("")
    nocache = HERE / "runs" / "nocache.json"
    if nocache.exists() and big in json.loads(nocache.read_text())["sizes"]:
        nc = json.loads(nocache.read_text())
        N = nc["sizes"][big]
        out += ["", f"## Without the page cache (`PAGE_CACHE=0`), {int(big):,} notices", "",
                f"{nc['date']}, commit {nc['commit']}: every page rendered, with the indexes and the other changes.", "",
                "| page | share of floor | p95 ms / × floor | p99 ms |", "|---|---|---|---|"]
        for key, label, _path, _signed in PAGES:
            if key not in N["pages"]:  # a page added after that run
                continue
            e = N["pages"][key]
            out.append(f"| `{label}` | {pct(e['share'])} | {e['p95']:.1f} / {e['p95_ratio']:.1f}× | {e['p99']:.1f} |")
    pg = HERE / "runs" / "pg-plans.json"
    if pg.exists():
        pgp = json.loads(pg.read_text())
        out += [f"## Query plans on PostgreSQL at {pgp['notices']:,} notices (`EXPLAIN` after `VACUUM ANALYZE`)", "",
                f"From `make bench-pg-plans` at commit {pgp['commit']}; ⚠ marks a sequential scan of `notice` or"
                " a full sort of more than 50 rows.", ""]
        for key, label, _path, _signed in PAGES:
            entry = pgp["pages"].get(key)
            if not entry:
                continue
            out += [f"### `{label}` ({entry['statements']} statements)", ""]
            for p in entry["plans"]:
                sql = p["sql"] if len(p["sql"]) < 400 else p["sql"][:400] + " …"
                flag = " ⚠" if any(_pg_problem(ln) for ln in p["plan"]) else ""
                out += ["```sql", sql, "```", "```" + flag, *p["plan"], "```"]
            out.append("")
    out += ["<!-- notes -->", notes.strip(), ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--save-as", default="latest", help="name of the JSON under benchmarks/runs/")
    ap.add_argument("--env", action="append", default=[], help="NAME=value for the portal's gunicorn")
    ap.add_argument("--pages", default="", help="comma-separated page keys to run (default: every page)")
    ap.add_argument("--no-results", action="store_true", help="write only runs/<save-as>.json, not RESULTS.md")
    ap.add_argument("--render-only", metavar="NAME", help="rewrite RESULTS.md from runs/NAME.json")
    args = ap.parse_args()
    if args.render_only:
        write_results(json.loads((HERE / "runs" / f"{args.render_only}.json").read_text()), args.render_only)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on the way out
    EXTRA_ENV.update(kv.split("=", 1) for kv in args.env)
    if args.pages:
        keep = set(args.pages.split(","))
        PAGES[:] = [p for p in PAGES if p[0] in keep]
    run: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "commit": commit(),
        "tool": "wrk" if shutil.which("wrk") else "python load generator", "threads": args.threads,
        "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds, "env": args.env,
        "sizes": {},
    }
    for size in args.sizes.split(","):
        db_path = HERE / "data" / f"notices-{size}.sqlite3"
        if not db_path.exists():
            sys.exit(f"missing {db_path}: run `make bench` (it seeds with flask seed-bench)")
        print(f"== {size} notices", flush=True)
        run["sizes"][size] = run_size(db_path, args.seconds, args.connections, args.threads, args.rounds)
    runs = HERE / "runs"
    runs.mkdir(exist_ok=True)
    (runs / f"{args.save_as}.json").write_text(json.dumps(run, ensure_ascii=False, indent=1))
    if not args.no_results:
        write_results(run, args.save_as)


def write_results(run: dict[str, Any], name: str) -> None:
    runs = HERE / "runs"
    results = HERE / "RESULTS.md"
    notes = ""
    if results.exists() and "<!-- notes -->" in results.read_text():
        notes = results.read_text().split("<!-- notes -->", 1)[1]
    before_path = runs / "before.json"
    before = json.loads(before_path.read_text()) if before_path.exists() and name != "before" else None
    results.write_text(render(run, before, notes))
    print(f"wrote {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
