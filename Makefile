# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
ARGS   ?=
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install install-test demo serve test test-sqlite test-postgres bench data vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/boucle demo $(ARGS)

serve: install
	$(BIN)/boucle serve $(ARGS)

# The whole suite on SQLite, then the database tests again on PostgreSQL.
test: install-test
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup $(ARGS)
	$(BIN)/python scripts/run_postgres_tests.py $(PG_URL) -q -n 2 --dist loadgroup -m "not browser" $(ARGS)

test-sqlite: install-test
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup $(ARGS)

test-postgres: install-test
	$(BIN)/python scripts/run_postgres_tests.py $(PG_URL) -q -n 2 --dist loadgroup -m "not browser" $(ARGS)

bench: install-test
	$(BIN)/python bench/run_all.py

data: install
	$(BIN)/python scripts/build_data.py

clean:
	rm -rf $(VENV) var build *.egg-info
