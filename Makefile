# The two commands a new user needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV  := .venv
FLASK := $(VENV)/bin/flask --app api:create_app
export DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/arrears
export REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/arrears_test
DEMO_ACCOUNTS ?= 5000
DEMO_SEED ?= 7

.PHONY: run test setup db demo lint typecheck worker clean

setup:
	@scripts/setup.sh

# As the owner (DATABASE_OWNER_URL, else DATABASE_URL): create, migrate, and let the
# application role log in; web and workers then log in as arrears_app (docs/security.md).
db: setup
	@$(FLASK) db ensure

# The demo is asked for explicitly (ARREARS_DEMO): its users have published passwords and
# it signs tokens with a random secret kept in instance/ (never in the repository).
demo: export ARREARS_DEMO = true
demo: db
	@$(FLASK) demo seed --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED) --if-empty
	@$(FLASK) demo roads --seed $(DEMO_SEED) --if-missing
	@$(FLASK) demo day --if-missing

# Served by gunicorn with the repository's config, as in production (docs/deployment.md).
run: export ARREARS_DEMO = true
run: demo
	@$(FLASK) demo logins
	@scripts/run_worker.sh start
	@echo "Serving the demo on http://127.0.0.1:5000 with gunicorn (docs: /api/docs, spec: /api/openapi.json)"
	@$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app

# Lint and type checks first (seconds), then the suite, which builds its own database
# (TEST_DATABASE_URL plus the run's pid) from the migrations and drops it at the end.
test: setup lint
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/python -m pytest -q -p no:cacheprovider

worker: export ARREARS_DEMO = true
worker: demo
	@$(VENV)/bin/celery -A api.celery_app worker --loglevel=info

# ruff everywhere; mypy strict on routing, geo, core and demo, default checks on api
# (pyproject.toml).
lint: setup
	@$(VENV)/bin/ruff check api core demo geo routing tests bench migrations
	@$(VENV)/bin/mypy routing geo core demo api

clean:
	@scripts/run_worker.sh stop || true
	rm -rf $(VENV) .pytest_cache
