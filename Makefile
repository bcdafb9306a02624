# Concord — everything a newcomer needs. `make run` and `make test` set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.synced
PYTHON_FOR_VENV := $(shell scripts/find-python)

# The test suite runs against real services on localhost.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/concord
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help run stop test lint format up setup services chromium pango wrk lighthouse bench bench-data bench-audit clean mutate

help:
	@echo "make run    set up and serve Concord with demo data on http://127.0.0.1:8000 (embedded PostgreSQL)"
	@echo "make test   set up and run lint and the whole test suite (PostgreSQL, Redis, Chromium)"
	@echo "make lint   ruff check, ruff format --check and the import contracts"
	@echo "make up     the full stack with docker compose"
	@echo "make bench  the performance benchmarks (PostgreSQL; data from make bench-data)"

$(VENV)/bin/python:
	@test -n "$(PYTHON_FOR_VENV)" || { echo "No Python >= 3.12 found (tried .python-version, python3.13, python3.12). Install one, e.g. 'pyenv install 3.12'."; exit 1; }
	$(PYTHON_FOR_VENV) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv

# Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE set (as on our machines and in the
# image) nothing else writes it, and every process would compile each module it imports
# (docs/decisions/bytecode-at-install.md).
$(STAMP): $(VENV)/bin/python pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --compile-bytecode --python $(PY) --quiet
	@touch $(STAMP)

setup: $(STAMP)

run: export CONCORD_ENV = dev
run: $(STAMP) pango
	$(PY) -m config.devserver

# Stops the embedded PostgreSQL server if something left it running (make run stops it itself).
stop:
	$(PY) -m config.embedded_postgres stop

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

services:
	@scripts/ensure-services

# Debian packages the tests and benchmarks need, installed when missing.
define apt_install
	@command -v $(1) >/dev/null || { echo "Installing Debian's $(2)..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a \
	     apt-get install -y -qq $(2) >/dev/null 2>&1) \
	  || { echo "Could not install $(2) with apt-get (are you root?)."; exit 1; }; }
endef

chromium:
	$(call apt_install,/usr/bin/chromium,chromium)

# Pango for WeasyPrint, which draws the renewal decision pack's PDF.
pango:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 || { echo "Installing Debian's Pango..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1) \
	  || { echo "Could not install Pango with apt-get (are you root?)."; exit 1; }; }

wrk:
	$(call apt_install,wrk,wrk)

# Lighthouse for the browser tests (tests/browser/test_lighthouse.py), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	$(call apt_install,npm,nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lighthouse: node_modules/.installed

test: export TEST_DATABASE_URL := $(TEST_DATABASE_URL)
test: export TEST_REDIS_URL := $(TEST_REDIS_URL)
test: export DJANGO_SETTINGS_MODULE = config.settings_test
test: $(STAMP) lint services chromium pango wrk lighthouse
	$(PY) -m config.test_database -- $(PY) -m pytest $(PYTEST_ARGS)

up:
	docker compose up --build

# Mutation testing of the rule modules (not part of `make test`): prints the kill rate, lists
# the survivors in docs/mutation.md and fails below 90%. MUTATE_ARGS="--jobs 4" on a bigger box.
MUTATE_ARGS ?=
mutate: export TEST_DATABASE_URL := $(TEST_DATABASE_URL)
mutate: export TEST_REDIS_URL := $(TEST_REDIS_URL)
mutate: export DJANGO_SETTINGS_MODULE = config.settings_test
mutate: $(STAMP) services
	$(PY) scripts/mutate.py $(MUTATE_ARGS)

# Benchmarks on the generated data: `make bench-data BENCH_SIZE=large` once, then `make bench`.
BENCH_SIZE ?= large
BENCH_ARGS ?=

bench-data: export DJANGO_SETTINGS_MODULE = benchmarks.settings
bench-data: $(STAMP) services
	$(PY) benchmarks/generate.py --size $(BENCH_SIZE) --reset

bench: export DJANGO_SETTINGS_MODULE = benchmarks.settings
bench: $(STAMP) services wrk
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# What the audit trail's triggers add to the import and the recompute (on the same data).
bench-audit: export DJANGO_SETTINGS_MODULE = benchmarks.settings
bench-audit: $(STAMP) services
	$(PY) benchmarks/audit_overhead.py

clean:
	-test -x $(PY) && $(PY) -m config.embedded_postgres stop
	rm -rf $(VENV) staticfiles artifacts
