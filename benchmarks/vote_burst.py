"""Vote burst (QUALITY.md test 12): N representatives vote at once against a real gunicorn
with several workers, on the given database (SQLite file or PostgreSQL).

Every representative is signed in to an open session; a secret motion is open. All N
requests start together (a barrier); in addition every tenth voter sends a second ballot at
the same moment (two requests at once). Reported: counted (ballots and who-voted rows in
the database) against cast (requests answered "投票成功"), duplicates, 5xx, "database is
locked" (in responses and in gunicorn's log), and the p50/p95 latency.

    .venv/bin/python benchmarks/vote_burst.py --voters 300            # SQLite, a new file
    .venv/bin/python benchmarks/vote_burst.py --voters 2000 --database-url postgresql://...

``make bench`` runs it at 300 on SQLite (and at 2,000 on PostgreSQL when BENCH_PG_URL is
set); ``tests/congress/test_burst.py`` runs it at 60 in the test suite.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

SECRET = "vote-burst-secret"
COOKIE = "portal_session"


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def prepare(database_url: str, voters: int) -> dict[str, Any]:
    """Migrate if needed; N representatives signed in to an open session with an open secret
    motion; a session cookie with a CSRF token for each. Returns what the burst needs."""
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import select

    from portal import create_app
    from portal.auth.models import Department, User
    from portal.cli import migrate
    from portal.congress.models import CongressTerm, Representative
    from portal.congress.rules import polls, sessions
    from portal.extensions import db
    from portal.timeutil import utcnow
    from datetime import date

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "TESTING": False})
    with app.app_context():
        migrate()
        hashed = User(username="-", staff_no="-", name="-")
        hashed.set_password("burst-password-1")
        dept = db.session.scalar(select(Department).limit(1)) or Department(name="教务处", kind="office")
        db.session.add(dept)
        union = db.session.scalar(select(User).where(User.username == "burst-union"))
        if union is None:
            union = User(username="burst-union", staff_no="BU0", name="工会", department=dept,
                         password_hash=hashed.password_hash, must_change_password=False)
            union.set_roles({"union"})
            db.session.add(union)
        term = CongressTerm(number=900 + int(time.time()) % 99, name="压力测试届", starts_on=date(2020, 1, 1),
                            ends_on=date(2099, 12, 31))
        db.session.add(term)
        db.session.flush()
        stamp = str(int(time.time() * 1000))[-7:]
        people = [User(username=f"burst{stamp}-{i}", staff_no=f"B{stamp}-{i}", name=f"代表{i}", department=dept,
                       password_hash=hashed.password_hash, must_change_password=False) for i in range(voters)]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(Representative(term_id=term.id, user_id=u.id, joined_on=term.starts_on) for u in people)
        db.session.flush()
        cs = sessions.create_session(db.session, union, term, date(2026, 3, 1), "礼堂", work_report_required=False)
        sessions.open_session(db.session, union, cs)
        for u in people:
            sessions.sign_in(db.session, u, cs)
        poll = polls.create_poll(db.session, union, cs, polls.PollSpec(title="压力测试表决", secret=True))
        polls.open_poll(db.session, union, poll)
        db.session.commit()
        ids = [(u.id, u.get_id()) for u in people]
        poll_id = poll.id

    # Session cookies as the login view writes them (no scrypt per voter), with a CSRF token.
    client = app.test_client()
    signer = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token")
    creds = []
    now = utcnow().timestamp()
    for user_id, token in ids:
        raw = os.urandom(20).hex()
        with client.session_transaction() as s:
            s.clear()
            s.update({"_user_id": token, "_fresh": True, "login_at": now, "seen_at": now, "csrf_token": raw})
        cookie = client.get_cookie(COOKIE)
        assert cookie is not None
        creds.append({"user_id": user_id, "cookie": f"{COOKIE}={cookie.value}", "csrf": signer.dumps(raw)})
    with app.app_context():
        db.engine.dispose()
    return {"poll_id": poll_id, "creds": creds}


class Server:
    def __init__(self, database_url: str, workers: int) -> None:
        self.port = _free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="burst-gunicorn-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            # The whole hall connects in the same moment: with gunicorn's default backlog (2,048)
            # the connections beyond it wait for the kernel to retry them a second or more later,
            # which is the harness's cost, not a vote's.
            [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync", "--timeout", "120",
             "--backlog", "4096",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
            cwd=str(ROOT), env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "PAGE_CACHE": "0"},
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the gunicorn workers have used so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            for pid in (task / "children").read_text().split():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> str:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()
        return Path(self.log.name).read_text(errors="replace")


def request(port: int, method: str, path: str, body: str | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def warm_up(port: int, poll_id: int, creds: list[dict[str, Any]], workers: int) -> None:
    """Before the burst, as in the hall, where everyone has the poll on the phone before the
    vote: the poll page is loaded a few times per worker, so a worker's first-request costs
    (templates compiled, statements compiled, translations read) are not counted as votes'."""
    threads = [threading.Thread(target=request, args=(port, "GET", f"/congress/polls/{poll_id}", None,
                                                      {"Cookie": cred["cookie"]}))
               for cred in creds[: 8 * workers]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def burst(port: int, poll_id: int, creds: list[dict[str, Any]]) -> dict[str, Any]:
    jobs = [(c, "yes" if i % 3 else "no") for i, c in enumerate(creds)]
    jobs += [(c, "abstain") for c in creds[::10]]  # the same voters again, at the same moment
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[int, str, float, int]] = []
    lock = threading.Lock()

    def vote(cred: dict[str, Any], choice: str) -> None:
        body = f"choice={choice}"
        headers = {"Cookie": cred["cookie"], "X-CSRFToken": cred["csrf"], "HX-Request": "true",
                   "Content-Type": "application/x-www-form-urlencoded"}
        barrier.wait()
        t0 = time.perf_counter()
        try:
            status, text = request(port, "POST", f"/congress/polls/{poll_id}/vote", body, headers)
        except OSError as exc:
            status, text = 0, str(exc)
        with lock:
            results.append((status, text, time.perf_counter() - t0, cred["user_id"]))

    threads = [threading.Thread(target=vote, args=job) for job in jobs]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies = sorted(r[2] for r in results)
    ok = [r for r in results if r[0] == 200 and "投票成功" in r[1]]
    # A second ballot is refused in place: 422 with the ballot block saying so.
    already = [r for r in results if r[0] == 422 and "投票成功" not in r[1] and "您已投票" in r[1]]
    return {
        "requests": len(results), "cast": len(ok), "already_voted": len(already),
        "errors": sum(1 for r in results if r[0] >= 500 or r[0] == 0),
        "other": sum(1 for r in results if r not in ok and r not in already),
        "locked_in_responses": sum("database is locked" in r[1] for r in results),
        "voters_ok": len({r[3] for r in ok}),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "wall_s": round(wall, 2),
    }


def count(database_url: str, poll_id: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from portal import create_app
    from portal.congress.models import Participation, SecretBallot
    from portal.extensions import db

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        ballots = db.session.scalar(select(func.count()).select_from(SecretBallot).where(SecretBallot.poll_id == poll_id))
        who = db.session.scalar(select(func.count()).select_from(Participation).where(Participation.poll_id == poll_id))
        distinct = db.session.scalar(select(func.count(func.distinct(Participation.user_id)))
                                     .where(Participation.poll_id == poll_id))
        db.engine.dispose()
    return {"ballots": ballots or 0, "who_voted": who or 0, "distinct_voters": distinct or 0}


def run_burst(database_url: str, voters: int, workers: int = 4) -> dict[str, Any]:
    """Prepare, serve, burst, count; returns the figures (see the module docstring)."""
    load = os.getloadavg()[0]
    ready = prepare(database_url, voters)
    server = Server(database_url, workers)
    try:
        warm_up(server.port, ready["poll_id"], ready["creds"], workers)
        workers_before, mine = server.cpu_seconds(), resource.getrusage(resource.RUSAGE_SELF)
        figures = burst(server.port, ready["poll_id"], ready["creds"])
        workers_after, after = server.cpu_seconds(), resource.getrusage(resource.RUSAGE_SELF)
    finally:
        log = server.stop()
    # CPU seconds during the burst, which the machine's other load moves much less than the
    # latencies: the gunicorn workers', and the load generator's threads'.
    figures["client_cpu_s"] = round(after.ru_utime + after.ru_stime - mine.ru_utime - mine.ru_stime, 2)
    figures["server_cpu_s"] = round(workers_after - workers_before, 2)
    figures["server_cpu_ms_per_request"] = round(1000 * figures["server_cpu_s"] / max(1, figures["requests"]), 1)
    figures["load_at_start"] = round(load, 2)  # the 1-minute load average: 2 cores are "busy" at 2
    figures.update(count(database_url, ready["poll_id"]))
    figures["duplicates"] = figures["ballots"] - figures["distinct_voters"]
    figures["locked_in_log"] = log.count("database is locked")
    figures["server_tracebacks"] = len(re.findall(r"Traceback", log))
    figures["voters"], figures["workers"] = voters, workers
    figures["database"] = database_url.split(":", 1)[0]
    return figures


def write_results(figures: dict[str, Any]) -> None:
    """Put this run's line under "Vote burst" in RESULTS.md (run.py rewrites the rest)."""
    results = ROOT / "benchmarks" / "RESULTS.md"
    text = results.read_text() if results.exists() else ""
    head = "## Vote burst (benchmarks/vote_burst.py)"
    line = (f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {figures['database']}, "
            f"{figures['voters']} voters (+{figures['already_voted']} second ballots at once), gunicorn "
            f"{figures['workers']} sync workers: counted {figures['ballots']} / cast {figures['cast']}, "
            f"duplicates {figures['duplicates']}, errors {figures['errors']}, \"database is locked\" "
            f"{figures['locked_in_responses'] + figures['locked_in_log']}, p50 {figures['p50_ms']} ms, "
            f"p95 {figures['p95_ms']} ms, wall {figures['wall_s']} s; CPU during the burst: gunicorn workers "
            f"{figures['server_cpu_s']} s ({figures['server_cpu_ms_per_request']} ms a request), load generator {figures['client_cpu_s']} s; load average at start {figures['load_at_start']}")
    if head not in text:
        text = text.rstrip("\n") + f"\n\n{head}\n\n"
    before, after = text.split(head, 1)
    # This run's lines end at the next heading; what follows (notes, other benchmarks) is kept.
    lines = after.strip("\n").splitlines()
    end = next((i for i, ln in enumerate(lines) if ln.startswith("#")), len(lines))
    same = f", {figures['database']}, {figures['voters']} voters "
    kept = [ln for ln in lines[:end] if ln.startswith("- ") and same not in ln]
    rest = "\n".join(lines[end:])
    results.write_text(before + head + "\n\n" + "\n".join(kept + [line]) + "\n" + ("\n" + rest + "\n" if rest else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voters", type=int, default=300)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--write-results", action="store_true", help="add the figures to benchmarks/RESULTS.md")
    args = ap.parse_args()
    url = args.database_url
    if not url:
        url = "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="burst-")) / "burst.sqlite3")
    figures = run_burst(url, args.voters, args.workers)
    print(json.dumps(figures, ensure_ascii=False))
    if args.write_results:
        write_results(figures)
    bad = (figures["cast"] != figures["ballots"] or figures["already_voted"] != len(range(0, args.voters, 10)) or figures["duplicates"] or figures["errors"]
           or figures["locked_in_responses"] or figures["locked_in_log"] or figures["voters_ok"] != args.voters)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
