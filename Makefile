# Two commands for a newcomer: `make run` (set up and serve) and `make test`.
# Everything runs inside $(VENV), created from requirements.txt on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
ADMIN_EMAIL ?= admin@example.com
# Where the settings look for the database, media and secret key.
VAR_DIR := $(or $(KITSU_VAR_DIR),var)
# `make run DEMO=1` also builds a demo production (seed_demo) on first run.
DEMO ?=
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="tests/plumbing -x"`.
PYTEST_ARGS ?=
# The development server speaks plain HTTP on localhost.
DEV_ENV := DEBUG=true

.PHONY: run test setup install secret-key migrate init-data admin demo lint format check schema clean

run: setup init-data admin
	@if [ -n "$(DEMO)" ]; then $(MAKE) --no-print-directory demo; else \
		echo "Tip: 'make run DEMO=1' (or 'make demo') adds a demo production to look around."; fi
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# A TV show with episodes, sequences, shots, assets, casting and tasks; kept
# when it exists already.
demo: init-data
	$(DEV_ENV) $(BIN)/python manage.py seed_demo --project-name "Demo TV Show" --if-missing

# The suite runs with production-like settings (DEBUG off), except that the
# live-server tests need plain HTTP.
test: install secret-key
	SECURE_SSL_REDIRECT=false $(BIN)/python -m pytest $(PYTEST_ARGS)

setup: install secret-key migrate

install: $(BIN)/.installed

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

secret-key:
	@mkdir -p $(VAR_DIR)
	@test -s $(VAR_DIR)/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $(VAR_DIR)/secret_key

migrate: install secret-key
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input

init-data: migrate
	$(DEV_ENV) $(BIN)/python manage.py init_data

# Prints the generated password once, when the admin is created.
admin: migrate
	$(DEV_ENV) $(BIN)/python manage.py create_admin $(ADMIN_EMAIL) --if-missing --print-password

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install secret-key
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .

# The OpenAPI description, as served at /api/openapi.json.
schema: install secret-key
	$(BIN)/python manage.py spectacular --format openapi-json --validate --file $(VAR_DIR)/openapi.json
	@echo "Wrote $(VAR_DIR)/openapi.json"

# Removes the virtual environment only: var/ holds the database, the media
# files and the secret key.
clean:
	rm -rf $(VENV) .ruff_cache

# Load bench of the web UI's main calls: gunicorn on PostgreSQL and Redis with a
# 2,000-shot production; creates and drops its own database (bench/README.md).
# Not part of `make test`. Options: `make bench BENCH_ARGS="--requests 50"`.
BENCH_ARGS ?=
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
