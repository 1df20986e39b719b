# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app portal

.PHONY: run test test-sqlite test-postgres translations extract-messages bench bench-pg-plans clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations -D messages

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F portal/translations/babel.cfg -k _l -k lazy_gettext -k N_ -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching

run: $(VENV)/.installed translations
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite on SQLite, then again on a throwaway PostgreSQL cluster, browser tests included.
test: $(VENV)/.dev-installed translations
	bash tests/harness.sh all

test-sqlite: $(VENV)/.dev-installed translations
	bash tests/harness.sh sqlite

test-postgres: $(VENV)/.dev-installed translations
	bash tests/harness.sh postgres

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache tests/artifacts

# The benchmark (QUALITY.md "Performance benchmark protocol"); never part of `make test`.
# Seeded databases are cached in benchmarks/data/ and remade when the seed code changes.
BENCH_DATA := benchmarks/data
BENCH_SEED := portal/seed/bench.py portal/seed/demo.py portal/seed/disclosure.py portal/seed/congress.py portal/seed/decisions.py

$(BENCH_DATA)/notices-%.sqlite3: $(BENCH_SEED) | $(VENV)/.installed
	mkdir -p $(BENCH_DATA)
	rm -f $@ $@-wal $@-shm
	DATABASE_URL=sqlite:///$(CURDIR)/$@.tmp SECRET_KEY=bench $(FLASK) seed-bench --notices $*
	mv $@.tmp $@

bench: $(VENV)/.installed translations $(BENCH_DATA)/notices-1000.sqlite3 $(BENCH_DATA)/notices-10000.sqlite3
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && { apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }; } || \
		echo "bench: wrk not installed (sudo apt-get install wrk); using the Python load generator"
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/vote_burst.py --voters 300 --write-results
	$(BIN)/python benchmarks/boards.py --boards 500 --database $(BENCH_DATA)/notices-1000.sqlite3 --write-results
	@if [ -n "$$BENCH_PG_URL" ]; then $(BIN)/python benchmarks/vote_burst.py --voters 2000 \
		--database-url "$$BENCH_PG_URL" --write-results; fi

# PostgreSQL plans of the benchmark pages at 10,000 notices (a throwaway cluster); run.py
# adds them to RESULTS.md.
bench-pg-plans: $(VENV)/.installed
	$(BIN)/python benchmarks/pg_plans.py
