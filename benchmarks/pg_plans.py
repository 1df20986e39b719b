"""PostgreSQL query plans for the benchmark pages (``make bench-pg-plans``).

Starts a throwaway PostgreSQL cluster (as tests/harness.sh does), seeds it with
``flask seed-bench --notices N``, runs ``ANALYZE``, then runs every benchmark page once
through the test client and records ``EXPLAIN`` of each SELECT. The plans go to
``benchmarks/runs/pg-plans.json``; ``benchmarks/run.py`` puts them into RESULTS.md.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notices", type=int, default=10_000)
    args = ap.parse_args()
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdbs:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
    bindir = Path(initdbs[-1]).parent
    port = run.free_port()
    work = Path(tempfile.mkdtemp(prefix="portal-bench-pg."))
    as_user: list[str] = []
    if os.getuid() == 0:
        subprocess.run(["chown", "postgres:", str(work)], check=True)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = work / "data"
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "portal", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(work / "log"), "-w", "-o",
                    f"-h 127.0.0.1 -p {port} -k {work} -c fsync=off -c synchronous_commit=off", "start"],
                   check=True, capture_output=True)
    try:
        subprocess.run([*as_user, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "portal",
                        "bench"], check=True)
        url = f"postgresql+psycopg://portal@127.0.0.1:{port}/bench"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        subprocess.run([str(run.BIN / "flask"), "--app", "portal", "seed-bench", "--notices", str(args.notices)],
                       cwd=str(ROOT), env=env, check=True)
        subprocess.run([str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "portal", "-d", "bench",
                        "-c", "VACUUM ANALYZE"], check=True, capture_output=True)
        plans = run.statements_per_page(url)
        out = HERE / "runs" / "pg-plans.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"notices": args.notices, "commit": run.commit(), "pages": plans},
                                  ensure_ascii=False, indent=1))
        print(f"wrote {out.relative_to(ROOT)}")
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
