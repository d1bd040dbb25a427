# doudi: two commands set everything up.
#   make run    install, migrate the SQLite database under instance/, load the demo, serve
#   make test   install, then run the checks and the whole test suite
#   make bench  install, then run the benchmarks on PostgreSQL and write bench/RESULTS.md

PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGUES := $(wildcard admin/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test bench coverage lint system-packages test-packages install clean

run: install
	$(BIN)/doudi db upgrade
	$(BIN)/doudi demo --if-empty
	$(BIN)/doudi serve --host 127.0.0.1 --port $(PORT)

test: install test-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest -n auto

# every benchmark in bench/ on the PostgreSQL at DOUDI_BENCH_URL (default: the local server),
# its figures and the machine written to bench/RESULTS.md; 10 to 30 minutes by the machine's load
bench: install
	$(BIN)/python -m bench $(if $(DOUDI_BENCH_URL),--url $(DOUDI_BENCH_URL))

# the same suite measuring branch coverage (fails under the floor in pyproject.toml); about
# half again as long as `make test`, so kept apart from it
coverage: install test-packages
	$(BIN)/pytest -n auto --cov --cov-report=term

install: system-packages $(STAMP) $(COMPILED)

system-packages:
	@./scripts/system-packages.sh

test-packages:
	@./scripts/system-packages.sh --test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# the UI's compiled message catalogues (built from the .po files kept in git)
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage
