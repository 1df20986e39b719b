"""Where one vote's time goes, in process (no server, no network): N representatives of an
open session vote one after the other on a secret motion, through the whole Flask request
(session cookie, CSRF, user loader, permission checks, the rule, the audit append, the commit,
the fragment). Reported per vote (median and p95 over the N): the whole request (wall clock, and this process's CPU time,
which other load on the machine disturbs less), the time the
write lock is held (from BEGIN IMMEDIATE / the advisory lock to COMMIT), the statements inside
it and outside it, and with ``--profile`` the top functions by cumulative time (cProfile),
with ``--statements`` the statements of the last vote (marked in the lock or outside it; on
PostgreSQL the lock taken within the read transaction counts as outside, as a BEGIN's wait).

    .venv/bin/python benchmarks/vote_profile.py --voters 200
    .venv/bin/python benchmarks/vote_profile.py --voters 200 --database-url postgresql://... --profile

Set up like benchmarks/vote_burst.py (the same ``prepare``); a measurement, never a test.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.vote_burst import SECRET, prepare  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * q) - 1)] * 1000, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voters", type=int, default=200)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--profile", action="store_true", help="print the top functions (cProfile, cumulative)")
    ap.add_argument("--statements", action="store_true", help="print the statements of the last vote")
    args = ap.parse_args()
    url = args.database_url or "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="vprof-")) / "p.sqlite3")
    ready = prepare(url, args.voters)

    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": False, "PAGE_CACHE": False})
    state: dict[str, Any] = {"began": None, "in_lock": 0, "outside": 0, "held": [], "last": []}

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "begin")
    def _began(conn: Any) -> None:
        from portal.db import write_intent

        if write_intent.get():
            state["began"] = time.perf_counter()

    def _ended(conn: Any) -> None:
        if state["began"] is not None:
            state["held"].append(time.perf_counter() - state["began"])
            state["began"] = None

    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn: Any, cursor: Any, statement: str, *a: Any) -> None:
        if state["began"] is None and "pg_advisory_xact_lock" in statement:  # taken within a read (begin_write)
            state["began"] = time.perf_counter()  # the wait for it counts as outside, as in a BEGIN
            state["outside"] += 1
            state["last"].append("[lock] " + statement)
            return
        where = "in_lock" if state["began"] is not None else "outside"
        state[where] += 1
        state["last"].append(f"[{where}] " + " ".join(statement.split())[:160])

    client = app.test_client(use_cookies=False)
    path = f"/congress/polls/{ready['poll_id']}/vote"
    whole: list[float] = []
    cpu: list[float] = []
    profiler = cProfile.Profile() if args.profile else None
    for i, cred in enumerate(ready["creds"]):
        headers = {"Cookie": cred["cookie"], "X-CSRFToken": cred["csrf"], "HX-Request": "true"}
        state["last"] = []
        t0, c0 = time.perf_counter(), time.process_time()
        if profiler is not None and i >= 5:
            profiler.enable()
        resp = client.post(path, data={"choice": "yes" if i % 3 else "no"}, headers=headers)
        if profiler is not None:
            profiler.disable()
        whole.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert resp.status_code == 200 and "投票成功" in resp.get_data(as_text=True), resp.status_code
    n = len(whole)
    figures = {
        "database": url.split(":", 1)[0], "voters": n,
        "request_p50_ms": _pct(whole, 0.5), "request_p95_ms": _pct(whole, 0.95),
        "request_mean_ms": round(statistics.mean(whole) * 1000, 2),
        "cpu_p50_ms": _pct(cpu, 0.5), "cpu_mean_ms": round(statistics.mean(cpu) * 1000, 2),
        "lock_held_p50_ms": _pct(state["held"], 0.5), "lock_held_p95_ms": _pct(state["held"], 0.95),
        "lock_held_mean_ms": round(statistics.mean(state["held"]) * 1000, 2),
        "statements_in_lock_per_vote": round(state["in_lock"] / n, 1),
        "statements_outside_per_vote": round(state["outside"] / n, 1),
    }
    if profiler is not None:  # a figure the machine's other load does not move
        figures["python_calls_per_vote"] = round(pstats.Stats(profiler).total_calls / max(1, n - 5))  # type: ignore[attr-defined]
    print(json.dumps(figures))
    if args.statements:
        print("\n".join(state["last"]))
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(os.environ.get("PROFILE_FILTER", ""), 60)
        print(out.getvalue())
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
