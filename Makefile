# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run setup test lint format messages clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Database, static files and the 2017 forum; safe to run again.
setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_forum

# The site on http://127.0.0.1:8000 with a Celery worker, Celery beat and the outbox relay, each
# restarted when it exits (supervisord.conf; README, "Processes and supervision"). Ctrl-C stops them all.
run: setup
	HTTPS=$${HTTPS:-0} GFMD_VAR_DIR="$${GFMD_VAR_DIR:-$(CURDIR)/var}" PATH="$(CURDIR)/$(BIN):$$PATH" \
		exec $(BIN)/supervisord -c supervisord.conf

test: install
	$(BIN)/python -m gfmd_portal.testservices $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract interface strings into locale/*/LC_MESSAGES/django.po, then compile them (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages --locale fr --locale es --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf var staticfiles
