#!/usr/bin/env bash
# Runs mypy over portal/ (modes all and sqlite) and the test suite on SQLite and/or a throwaway
# PostgreSQL cluster (in mode all, the two databases at the same time, mypy after SQLite's run).
# A mypy error fails the run; the tests still run.
#   bash tests/harness.sh all|sqlite|postgres [pytest args...]
# Installs what the browser tests need (Debian's chromium and CJK fonts, and a Java runtime for
# the Nu Html Checker) when missing and root.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"; shift || true
PY=.venv/bin/python

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need_apt+=(fonts-noto-cjk)
command -v java >/dev/null || need_apt+=(default-jre-headless)
if [ "$mode" != sqlite ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need_apt+=(postgresql); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "harness: installing ${need_apt[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "harness: missing ${need_apt[*]}; install them (sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

# Paths given on the command line replace the default "tests"; options are passed along.
targets=(tests)
for arg in "$@"; do case "$arg" in -*) ;; *) targets=(); break ;; esac; done

status=0
run_mypy() {
  echo "=== mypy over portal/ ==="
  local out errors
  out=$($PY -m mypy --config-file tests/mypy.ini portal 2>&1) && errors=0 || {
    errors=$(grep -c ': error:' <<<"$out" || true)
    [ "$errors" -gt 0 ] || errors=1  # mypy failed without reporting errors (a crash, a bad config)
  }
  echo "$out"
  echo "mypy: $errors errors"
  [ "$errors" -eq 0 ] || status=1
}

run_sqlite() {
  echo "=== test suite on SQLite ==="
  TEST_DATABASE_URL="" $PY -m pytest "${targets[@]}" "$@" || status=$?
}

run_postgres() {
  echo "=== test suite on PostgreSQL ==="
  local bindir port dir owner
  bindir=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
  port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  dir=$(mktemp -d /tmp/portal-pg.XXXXXX)
  as=()
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bindir/initdb" -D "$dir/data" -U portal --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  trap '"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' RETURN
  "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U portal portal_test
  TEST_DATABASE_URL="postgresql+psycopg://portal@127.0.0.1:$port/portal_test" $PY -m pytest "${targets[@]}" "$@" || status=$?
}

case "$mode" in
  sqlite) run_mypy; run_sqlite "$@" ;;
  postgres) run_postgres "$@" ;;
  all)
    # The two databases' runs go at the same time: each is one process that mostly keeps one
    # core busy, and the machine has two. The SQLite run is the shorter, so mypy follows it on
    # the core it frees. The PostgreSQL run's output is kept apart and printed after, in full,
    # so the log reads as if the runs had gone one after the other.
    logs=$(mktemp -d /tmp/portal-harness.XXXXXX)
    ( run_postgres "$@"; exit $status ) >"$logs/postgres" 2>&1 & pg_pid=$!
    echo "harness: the PostgreSQL run goes alongside; its output follows this run's and mypy's"
    run_sqlite "$@"
    run_mypy
    wait $pg_pid || status=1; cat "$logs/postgres"
    rm -rf "$logs" ;;
  *) echo "usage: $0 all|sqlite|postgres" >&2; exit 2 ;;
esac
exit $status
