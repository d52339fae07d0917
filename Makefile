# Fine City Employers Charter portal. `make run` and `make test` each bootstrap what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on two processes (pytest-xdist): the machine has two cores. PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help run test test-fast e2e lint check-deploy migrate demo assets venv system-packages clean worker

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@python=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed .env ## Create the virtual environment and install the Python packages

# A developer's local settings, so that `manage.py` works in development mode without exports.
# Never committed; production sets its variables in the environment and has no .env.
.env:
	@printf '# Local development settings (git-ignored). Production uses real environment variables.\nDEBUG=true\n' > $@
	@echo "Created .env with DEBUG=true for local development."

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static_build/.built: node_modules/.installed static/build.mjs $(shell find static -type f)
	npm run --silent build
	@touch $@

assets: static_build/.built ## Build the front-end assets (GOV.UK Frontend compiled with sass)

system-packages: ## Install the Debian packages the portal needs (libmagic1, chromium), as root
	@scripts/ensure-system-packages --browser

migrate: venv ## Apply database migrations (SQLite by default; DATABASE_URL to change)
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input

demo: migrate ## Load the charter and the demo data (idempotent)
	DEBUG=true $(PY) manage.py load_charter charter/data/fine-city-charter-2027.yaml
	DEBUG=true $(PY) manage.py seed_demo

run: venv assets demo ## Build everything, load demo data and serve http://127.0.0.1:8000/
	@scripts/ensure-system-packages
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

worker: venv ## Run the task worker (production uses TASK_BACKEND=database)
	$(PY) manage.py db_worker

test: venv assets system-packages ## Run the whole test suite, browser tests included
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: venv assets ## Run the suite without the browser tests
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

lint: venv ## ruff and bandit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r config accounts audit portal charter employers accreditation

check-deploy: venv assets ## Django's deployment checks with production-like settings
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=charter.example.gov.uk EMAIL_URL=smtp+tls://mailer:secret@smtp.example.gov.uk:587 \
	  STRIPE_SECRET_KEY=sk_test_dummy STRIPE_WEBHOOK_SECRET=whsec_dummy \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean: ## Remove the virtual environment, built assets and the local database
	rm -rf $(VENV) node_modules static_build staticfiles var
