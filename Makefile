# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# Every install takes its versions from the lock, so CI cannot change overnight.
CONSTRAINTS := constraints.txt
RUN_STAMP := $(VENV)/.install-run-stamp
STAMP := $(VENV)/.install-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in parallel, one database per worker (session fixtures are per process).
TEST_WORKERS ?= auto

.PHONY: run test install install-run catalogues messages lint format lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The runtime only (no test tools, no browser driver): what `make run` needs.
$(RUN_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install --quiet -c $(CONSTRAINTS) --upgrade pip
	$(PIP) install --quiet -c $(CONSTRAINTS) -e .
	touch $(RUN_STAMP)

# The runtime and the `dev` extra: what `make test` needs.
$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install --quiet -c $(CONSTRAINTS) --upgrade pip
	$(PIP) install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

# The catalogues of forum/locale, compiled (.mo are build products; forum also compiles a .po
# in memory at start-up when its .mo is missing or older, so this only saves that time).
LOCALE := forum/locale
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po | $(RUN_STAMP)
	$(BIN)/pybabel compile --domain messages --locale $* --input-file $< --output-file $@

catalogues: $(MO_FILES)

install-run: $(RUN_STAMP) catalogues

install: $(STAMP) catalogues

## make messages: extract every marked text into messages.pot and update each language's .po
# (a new or changed text comes in empty, never as a fuzzy guess from another message)
messages: install-run
	$(BIN)/pybabel extract --mapping-file $(LOCALE)/babel.cfg --output-file $(LOCALE)/messages.pot \
		--add-location file --add-comments Translators: --project forum \
		--ignore-dirs ".* ._ var bench docs tests migrations node_modules" .
	$(BIN)/pybabel update --domain messages --input-file $(LOCALE)/messages.pot \
		--output-dir $(LOCALE) --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching

## make run: install, migrate, load demo content into an empty database, serve on 127.0.0.1:8000
run: install-run
	$(BIN)/forum db upgrade
	$(BIN)/forum demo --if-empty
	@echo "A real administrator: $(BIN)/forum users create-admin NAME EMAIL (asks for the password)"
	@echo "The demo discussion: http://$(HOST):$(PORT)/articles/what-do-we-mean-by-socialism-october-1917"
	$(BIN)/forum serve --host $(HOST) --port $(PORT)

## make test: install, lint, check the layers, run the whole suite
test: install lint
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench: the speed benchmark of issue 13 (wrk needed; ~15 min), into docs/performance.md
bench: install
	$(BIN)/python bench/speed.py --write-docs

## make lock: rewrite constraints.txt with the newest versions pyproject.toml allows
lock:
	rm -rf $(VENV)/lock
	$(PYTHON) -m venv $(VENV)/lock
	$(VENV)/lock/bin/python -m pip install --quiet --upgrade pip setuptools
	$(VENV)/lock/bin/python -m pip install --quiet -e '.[dev]'
	sed -n '/^#/p' $(CONSTRAINTS) > $(CONSTRAINTS).new
	$(VENV)/lock/bin/python -m pip freeze --all --exclude-editable >> $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf $(VENV)/lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
