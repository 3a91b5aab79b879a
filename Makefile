# Two commands for a newcomer: `make run` (set up and serve) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup install secret-key migrate lint check clean

run: setup
	$(BIN)/python manage.py init_data
	$(BIN)/python manage.py create_admin $${ADMIN_EMAIL:-admin@example.com} --if-missing --print-password
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

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
	@mkdir -p var
	@test -s var/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key

migrate:
	DEBUG=true $(BIN)/python manage.py migrate --no-input

lint:
	$(BIN)/ruff check .

check:
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var
