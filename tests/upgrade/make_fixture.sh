#!/usr/bin/env bash
# Makes the upgrade fixture of one release: the demo school as that commit seeded it.
#   bash tests/upgrade/make_fixture.sh COMMIT
# Writes tests/upgrade/fixtures/<schema head>-<commit>.sqlite3.gz. Run it once per release
# (the commit that landed), commit the file, and tests/upgrade/test_upgrade.py picks it up.
set -euo pipefail
cd "$(dirname "$0")/../.."
commit=$(git rev-parse --short "${1:?usage: make_fixture.sh COMMIT}")
work=$(mktemp -d /tmp/portal-fixture.XXXXXX)
trap 'git worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --quiet --detach "$work/tree" "$commit"
python3.11 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet -r "$work/tree/requirements.txt"
cd "$work/tree"
"$work/venv/bin/pybabel" compile --use-fuzzy -d portal/translations -D messages >/dev/null
DATABASE_URL="sqlite:///$work/demo.sqlite3" SECRET_KEY=fixture UPLOAD_DIR="$work/uploads" \
  "$work/venv/bin/flask" --app portal seed-demo >/dev/null
cd - >/dev/null
# One self-contained file (no WAL beside it), compacted, then compressed.
"$work/venv/bin/python" - "$work/demo.sqlite3" "$work/clean.sqlite3" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("VACUUM INTO ?", (sys.argv[2],))
con.close()
PY
head=$("$work/venv/bin/python" -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select version_num from alembic_version').fetchone()[0])" "$work/clean.sqlite3")
gzip -9 -n -c "$work/clean.sqlite3" > "tests/upgrade/fixtures/$head-$commit.sqlite3.gz"
echo "tests/upgrade/fixtures/$head-$commit.sqlite3.gz"
