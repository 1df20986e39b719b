"""Notice boards under load (issue 22): N boards polling through the ETag path.

A copy of a seeded database (the 1,000-notice bench database, or the demo school when none is
given) gets N boards. Each is fetched once as a screen would (an htmx poll, no report) to learn
its ETag; each board is then polled ``warm`` times unmeasured (screens poll for months: the
measured polls are those of boards the workers already hold at the current data version, as
after a screen's first polls); then ``connections`` clients poll the boards round-robin for
``seconds``, each poll as the screen sends it (``HX-Request``, ``If-None-Match``, ``?shown=``),
against gunicorn with 2 sync workers, next to the bare Flask floor under the same settings and the same load
generator. Reports the share of 304s (a quiet period: nothing published meanwhile; each board's
first report in the run is written, at most one a minute per board), req/s as a share of the
floor, p50/p95. ``--write-results`` adds the line to benchmarks/RESULTS.md. Never a unit test.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import BIN, Gunicorn, get, machine, py_load  # noqa: E402


def prepare(database: Path | None, boards: int) -> str:
    """A copy of ``database`` (or a new demo school) with ``boards`` boards; its URL."""
    directory = Path(tempfile.mkdtemp(prefix="boards-bench-"))
    target = directory / "boards.sqlite3"
    url = f"sqlite:///{target}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    if database is not None:
        shutil.copyfile(database, target)
        subprocess.run([str(BIN / "flask"), "--app", "portal", "init-db"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    else:
        for cmd in (["init-db"], ["seed-demo"]):
            subprocess.run([str(BIN / "flask"), "--app", "portal", *cmd], cwd=ROOT, env=env, check=True,
                           capture_output=True)
    from portal import create_app
    from portal.boards import rules
    from portal.extensions import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        for i in range(boards):
            rules.create_board(db.session, None, f"bench-{i:04d}", orientation="portrait" if i % 2 else "landscape")
        db.session.commit()
        db.engine.dispose()
    return url


def tokens(url: str) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return [t for (t,) in conn.execute("SELECT token FROM board ORDER BY id")]
    finally:
        conn.close()


def poll_load(port: int, boards: list[tuple[str, str]], seconds: float, connections: int) -> dict[str, Any]:
    """``connections`` clients, each polling the boards round-robin with their ETags."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(start: int) -> None:
        mine: list[float] = []
        seen: dict[int, int] = {}
        i = start
        while time.monotonic() < stop:
            token, etag = boards[i % len(boards)]
            i += connections
            t0 = time.perf_counter()
            try:
                status, _h, _b = get(port, f"/boards/{token}?shown=notices",
                                     {"HX-Request": "true", "If-None-Match": etag})
            except OSError:
                status = 0
            mine.append((time.perf_counter() - t0) * 1000)
            seen[status] = seen.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.monotonic()
    pool = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"rps": len(latencies) / elapsed, "p50": q[49], "p95": q[94], "requests": len(latencies),
            "statuses": statuses}


def warm(port: int, boards: list[tuple[str, str]], rounds: int, connections: int) -> None:
    """Each board polled ``rounds`` times, not measured: with 2 workers a few polls per board
    reach both, and each worker then holds the board's settings (``views.shortcut``)."""
    work = [b for _ in range(rounds) for b in boards]

    def client(start: int) -> None:
        for token, etag in work[start::connections]:
            try:
                get(port, f"/boards/{token}?shown=notices", {"HX-Request": "true", "If-None-Match": etag})
            except OSError:
                pass

    pool = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def run(database: Path | None, count: int, seconds: float, connections: int, rounds: int = 4) -> dict[str, Any]:
    url = prepare(database, count)
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench"}
    portal = Gunicorn("wsgi:app", env, 2)
    floor = Gunicorn("hello:app", {"PYTHONPATH": str(ROOT / "benchmarks")}, 2)
    try:
        boards = []
        for token in tokens(url):  # what each screen holds after its first poll
            status, headers, _ = get(portal.port, f"/boards/{token}", {"HX-Request": "true"})
            assert status == 200, status
            boards.append((token, headers["etag"]))
        warm(portal.port, boards, rounds, connections)
        f1 = py_load(floor.port, "/", None, seconds, connections)
        b = poll_load(portal.port, boards, seconds, connections)
        h = py_load(portal.port, "/healthz", None, seconds, connections)  # the app's own ceiling: one query
        f2 = py_load(floor.port, "/", None, seconds, connections)
        rss = portal.worker_rss_mb()
    finally:
        portal.stop()
        floor.stop()
    floor_rps = (f1["rps"] + f2["rps"]) / 2
    floor_p95 = (f1["p95"] + f2["p95"]) / 2
    total = b["requests"] or 1
    return {"boards": count, "warm": rounds, "seconds": seconds, "connections": connections,
            "database": str(database or "demo"),
            "requests": b["requests"], "share_304": b["statuses"].get(304, 0) / total,
            "other": {k: v for k, v in b["statuses"].items() if k != 304}, "rps": b["rps"], "floor_rps": floor_rps,
            "share_of_floor": b["rps"] / floor_rps if floor_rps else 0, "p50": b["p50"], "p95": b["p95"],
            "floor_p95": floor_p95, "rss_mb": rss, "healthz_rps": h["rps"],
            "healthz_share": h["rps"] / floor_rps if floor_rps else 0}


def write_results(fig: dict[str, Any]) -> None:
    results = ROOT / "benchmarks" / "RESULTS.md"
    text = results.read_text() if results.exists() else ""
    head = "## Notice boards (benchmarks/boards.py)"
    line = (f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine()}, {fig['boards']} boards polling "
            f"round-robin after {fig.get('warm', 0)} unmeasured polls each ({fig['connections']} connections, "
            f"{fig['seconds']:.0f} s, python load generator, gunicorn 2 sync workers, database {Path(fig['database']).name}): {fig['requests']} polls, **304s {fig['share_304']*100:.1f} %** "
            f"(target ≥ 95 %; other answers {fig['other'] or 'none'}), **{fig['rps']:.0f} req/s = "
            f"{fig['share_of_floor']*100:.1f} % of the floor** ({fig['floor_rps']:.0f} req/s; target ≥ 60 %), p50 "
            f"{fig['p50']:.1f} ms, p95 {fig['p95']:.1f} ms (floor p95 {fig['floor_p95']:.1f} ms); `/healthz` of the same "
            f"server under the same load {fig['healthz_rps']:.0f} req/s = {fig['healthz_share']*100:.1f} % of the floor; "
            f"500 screens polling every 30 s need {fig['boards'] / 30:.0f} req/s; worker RSS "
            + ", ".join(f"{m:.0f} MB" for m in fig["rss_mb"]))
    if head not in text:
        text = text.rstrip("\n") + f"\n\n{head}\n\n"
    before, after = text.split(head, 1)
    # this section's earlier lines stay (a history); whatever follows it (a later section) too
    cut = after.find("\n## ")
    section, following = (after, "") if cut < 0 else (after[:cut], after[cut:])
    kept = [ln for ln in section.strip("\n").splitlines() if ln.startswith("- ")]
    results.write_text(before + head + "\n\n" + "\n".join(kept + [line]) + "\n" + following)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--boards", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--warm", type=int, default=4, help="unmeasured polls per board before the measured ones")
    ap.add_argument("--database", type=Path, default=None, help="a seeded SQLite file to copy (default: the demo school)")
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    fig = run(args.database if args.database and args.database.exists() else None, args.boards, args.seconds,
              args.connections, args.warm)
    print(fig)
    if args.write_results:
        write_results(fig)


if __name__ == "__main__":
    main()
