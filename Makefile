# Two commands do all the set-up: `make run` (the portal, embedded) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): each has its own database, Celery worker and Redis database.
PYTEST_WORKERS ?= 2

.PHONY: run test lint format venv dev-venv lock migrate seed clean check-deploy bench bench-smoke

# Installs are pinned by requirements.lock (every runtime and dev package, `make lock` writes it).
LOCK := requirements.lock

$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

## Re-pin requirements.lock after changing the dependencies in pyproject.toml (asks PyPI; pins
## that still fit are kept).
lock: venv
	$(PY) -m pip install --quiet "pip-tools>=7.4,<8"
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
	  --no-emit-find-links --output-file $(LOCK) pyproject.toml

## Run the portal: SQLite under var/, tasks in-process, demo data, demo logins printed.
run: venv
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

## Run the whole test suite on a throwaway PostgreSQL (+ Redis and a Celery worker if present).
test: dev-venv
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/with-services.sh $(PY) -m pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## Scale benchmark (bench/README.md): 1 M timesheet lines, gunicorn on a throwaway PostgreSQL.
BENCH_ARGS ?=
bench: dev-venv
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/with-services.sh $(PY) bench/scale.py $(BENCH_ARGS)

## The same harness on 10 000 lines in well under a minute (run by .ci/run to keep it alive).
bench-smoke: dev-venv
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/with-services.sh $(PY) bench/scale.py --smoke

## ruff, and the dependency graph between the apps (import-linter contracts in pyproject.toml).
lint: dev-venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: dev-venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrate: venv
	$(PY) manage.py migrate --noinput

seed: venv
	$(PY) manage.py seed_demo

check-deploy: venv
	DEBUG=False SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-secret-value-xyz \
	  ALLOWED_HOSTS=portal.example.com $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/staticfiles
