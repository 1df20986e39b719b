# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app portal

.PHONY: run test test-sqlite test-postgres translations extract-messages bench clean

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
