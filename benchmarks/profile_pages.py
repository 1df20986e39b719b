"""In-process timing and profile of the benchmark pages (issue 23): what a request costs
without a server or a load generator, and where its time goes (cProfile).

    .venv/bin/python benchmarks/profile_pages.py --size 1000 [--pages home_user,school_user]
        [--requests 30] [--profile KEY] [--no-cache]

Uses the pages, users and headers of ``run.py``. Never run as a unit test.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="1000")
    ap.add_argument("--pages", default="")
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--profile", default="", help="a page key to profile with cProfile")
    ap.add_argument("--no-cache", action="store_true", help="PAGE_CACHE off: every page rendered")
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--counts", action="store_true",
                    help="also print statements and Python function calls per request (cProfile, 5 requests)")
    args = ap.parse_args()

    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    url = f"sqlite:///{HERE / 'data' / f'notices-{args.size}.sqlite3'}"
    run.read_tokens(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "PAGE_CACHE": not args.no_cache, "LOGIN_MAX_PER_PAIR": 1000, "LOGIN_MAX_PER_ADDRESS": 1000,
                      "LOGIN_MAX_PER_ACCOUNT": 1000})
    pages = [p for p in run.PAGES if not args.pages or p[0] in args.pages.split(",")]
    clients = {}
    anon = app.test_client()
    for key, _l, _p, signed in pages:
        if signed and run.user_of(key) not in clients:
            c = app.test_client()
            r = c.post("/login", data={"username": run.user_of(key), "password": run.PASSWORD, "next": ""})
            assert r.status_code in (302, 303), r.status_code
            clients[run.user_of(key)] = c
    for key, label, path, signed in pages:
        client = clients[run.user_of(key)] if signed else anon
        path = run.expand(path)
        headers = run.headers_of(key)
        if key == "inbox_badge":
            etag = client.get(path).headers.get("ETag")
            if etag:
                headers["If-None-Match"] = etag
        for _ in range(3):
            r = client.get(path, headers=headers)
        assert r.status_code in (200, 304), (path, r.status_code)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            client.get(path, headers=headers)
        ms = (time.perf_counter() - t0) * 1000 / args.requests
        cpu = (time.process_time() - c0) * 1000 / args.requests  # steadier on a shared machine
        extra = ""
        if args.counts:
            seen: list[str] = []

            def before(conn, cursor, statement, *_a):  # type: ignore[no-untyped-def]
                seen.append(statement)

            with app.app_context():
                engine = db.engine
            event.listen(engine, "before_cursor_execute", before)
            try:
                client.get(path, headers=headers)
            finally:
                event.remove(engine, "before_cursor_execute", before)
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(5):
                client.get(path, headers=headers)
            prof.disable()
            calls = pstats.Stats(prof).total_calls // 5  # type: ignore[attr-defined]
            extra = f"  {len(seen):3d} stmts  {calls:7d} calls"
        print(f"{ms:7.2f} ms  {cpu:6.2f} cpu-ms{extra}  {len(r.get_data()):7d} B  {r.status_code}  {label}", flush=True)
        if key == args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.requests):
                client.get(path, headers=headers)
            prof.disable()
            st = pstats.Stats(prof)
            st.sort_stats("cumulative").print_stats(args.top)
            st.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
