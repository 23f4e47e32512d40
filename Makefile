# 社区营造知识库 — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
INSTALLED := $(VENV)/.installed-stamp
DEMO_CONTENT ?= 1
PRODUCTION := DJANGO_SETTINGS_MODULE=kb.settings.production
# The address absolute links (sitemap, feeds, handouts) are built with; set it to the public URL.
export WAGTAILADMIN_BASE_URL ?= http://127.0.0.1:$(PORT)

.DEFAULT_GOAL := help
.PHONY: help install run serve test test-postgres lint format superuser

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED) ## Create the virtualenv and install dependencies

run: install ## Set up (database, demo content, search index) and serve on 127.0.0.1:$(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_content
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: install ## Production: migrate, collect static files, serve with gunicorn on 127.0.0.1:$(PORT)
	@test -n "$$SECRET_KEY" -a -n "$$ALLOWED_HOSTS" || \
		(echo "Set SECRET_KEY and ALLOWED_HOSTS (e.g. ALLOWED_HOSTS=127.0.0.1,kb.example.org); see README, Deployment." >&2; exit 2)
	$(PRODUCTION) $(PY) manage.py migrate --noinput
	$(PRODUCTION) $(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ "$(DEMO_CONTENT)" = 1 ]; then $(PRODUCTION) $(PY) manage.py load_demo_content --if-empty; fi
	PORT=$(PORT) $(PRODUCTION) exec $(VENV)/bin/gunicorn --config python:kb.operations.gunicorn_conf

test: install ## Run the whole test suite
	$(PY) -m pytest

test-postgres: install ## Run the suite (but the slow fresh-copy test) on DATABASE_URL=postgres://…
	@test -n "$(DATABASE_URL)" || (echo "Set DATABASE_URL=postgres://user@host:port/name" >&2; exit 2)
	DATABASE_URL="$(DATABASE_URL)" $(PY) -m pytest -m "not slow"

lint: install ## Check lint and formatting
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Fix lint and formatting where safe
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

superuser: install ## Create an admin account for the Wagtail admin (/admin/)
	$(PY) manage.py createsuperuser
