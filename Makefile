# One-command start and test. Python 3.11 and Node (npm) are the only prerequisites.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run demo migrate test test-schema test-browser test-fast lint format check migrations-check deploy-check assets benchmark clean

help:
	@echo "make run      set up, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test     the whole suite (PostgreSQL when DATABASE_URL is set), without a browser"
	@echo "make test-schema  schemathesis over every API operation (SCHEMATHESIS_EXAMPLES=10)"
	@echo "make test-browser  the browser suite in headless Chromium (apt-get install chromium chromium-driver)"
	@echo "make lint     ruff; make check: lint + migrations + deploy checks"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.installed: node_modules/.installed scripts/vendor_assets.py | $(BIN)/python
	$(BIN)/python scripts/vendor_assets.py
	touch $@

assets: static/vendor/.installed

setup: $(VENV)/.installed assets

migrate: setup
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo

# --insecure: runserver serves the static files although DEBUG is off (the demo's default).
run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (sign in with one of the demo accounts above)"
	$(MANAGE) runserver --insecure $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

# Every API operation fuzzed by schemathesis against the published schema (no server error,
# every response within the schema). SCHEMATHESIS_EXAMPLES sets the examples per operation.
test-schema: setup
	SCHEMATHESIS=1 $(BIN)/python -m pytest -p no:cacheprovider -q tests/test_schema.py $(PYTEST_ARGS)

# Real-browser journeys and axe-core on every page, in the system's Chromium (never a
# downloaded one). Screenshots of failures go to browser-artifacts/.
test-browser: setup
	$(BIN)/python -m pytest -p no:cacheprovider --browser tests/browser $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

migrations-check: setup
	$(MANAGE) makemigrations --check --dry-run

deploy-check: setup
	DJANGO_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	  ALLOWED_HOSTS=cases.example.org $(MANAGE) check --deploy --fail-level WARNING

check: lint migrations-check deploy-check

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3 browser-artifacts
