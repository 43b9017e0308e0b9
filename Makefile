# Sightline. `make demo` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/sightline
DEMO_CHILDREN ?= 2000
DEMO_SEED ?= 20261126
export SIGHTLINE_VAR_DIR := $(CURDIR)/var

.PHONY: demo demo-serve test serve worker install install-dev lint typecheck pytest-sqlite pytest-postgres browser-deps java-deps secret clean bench validators

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	@# weasyprint (PDF exports) needs Debian's pango and a font.
	@ldconfig -p | grep -q libpangoft2-1.0 && test -d /usr/share/fonts/truetype/dejavu || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null) \
	  || { echo "Could not install pango for weasyprint. Install it with: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; exit 1; }; }
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## validators: the DfE's CIN census and SSDA903 rules in their own environment (pandas < 2)
VALIDATORS_VENV := .venv-validators
$(VALIDATORS_VENV)/.installed: requirements-validators.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(VALIDATORS_VENV)/bin/python || $(PYTHON) -m venv $(VALIDATORS_VENV)
	$(VALIDATORS_VENV)/bin/pip install --quiet --upgrade pip
	$(VALIDATORS_VENV)/bin/pip install --quiet -r requirements-validators.txt
	touch $@

validators: $(VALIDATORS_VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

secret:
	@mkdir -p var
	@test -s var/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@chmod 600 var/secret_key

## demo: install, migrate SQLite, load synthetic data (records, chronologies, reviews,
## networks, linkage model and its review queue), print the demo logins, then serve on
## :8000 with the background worker beside it (alerts arrive); one Ctrl-C stops both
demo: install secret
	unset DATABASE_URL; \
	$(BIN)/sightline migrate --no-input -v0 && \
	$(BIN)/sightline collectstatic --no-input -v0 && \
	$(BIN)/sightline load-demo-data --children $(DEMO_CHILDREN) --seed $(DEMO_SEED) && \
	$(BIN)/sightline load-review-corpus --if-empty && \
	if [ ! -f var/.demo-prepared ]; then \
	  $(BIN)/sightline load-demo-networks --seed $(DEMO_SEED) && \
	  $(BIN)/sightline generate-review-corpus --count 12 --first-year 2024 --years 1 --out var/reviews-for-coding.jsonl && \
	  $(BIN)/sightline load-review-corpus var/reviews-for-coding.jsonl --for-coding && \
	  $(BIN)/sightline train-linkage-model --quiet && \
	  $(BIN)/sightline link --quiet && \
	  touch var/.demo-prepared; \
	fi && \
	$(BIN)/sightline stats && \
	$(MAKE) --no-print-directory demo-serve

# The web server and the worker together. A background job of a script ignores Ctrl-C,
# so the trap stops the worker (SIGTERM: it finishes its task) when the server stops.
demo-serve:
	@unset DATABASE_URL; export SIGHTLINE_DEMO_MODE=1; \
	$(BIN)/sightline run-worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Serving on http://127.0.0.1:8000/ with the worker (process $$worker); Ctrl-C stops both"; \
	$(BIN)/gunicorn sightline.wsgi --bind 127.0.0.1:8000 --workers 2 --threads 4 --access-logfile -

## worker: the background worker (alerts, e-mail outbox, referral escalation); run it beside `make serve`
worker: install
	$(BIN)/sightline migrate --no-input -v0
	$(BIN)/sightline run-worker

## serve: production-like server; settings from the environment (DEBUG off)
serve: install
	$(BIN)/sightline migrate --no-input -v0
	$(BIN)/sightline collectstatic --no-input -v0
	$(BIN)/gunicorn sightline.wsgi --bind $${SIGHTLINE_BIND:-127.0.0.1:8000} --workers $${SIGHTLINE_WORKERS:-3}

browser-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "Could not install chromium (apt-get). Install it with: sudo apt-get install chromium"; exit 1; }; }

## java-deps: Debian's Java 17 for Splink's Spark backend (link-file --engine spark and its test)
java-deps:
	@command -v java >/dev/null || { echo "Installing Debian's openjdk-17-jre-headless for the Spark engine"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
	  || { echo "Could not install Java (apt-get). Install it with: sudo apt-get install openjdk-17-jre-headless"; exit 1; }; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev secret
	$(BIN)/mypy sightline

pytest-sqlite: install-dev secret
	unset DATABASE_URL; SIGHTLINE_TESTING=1 $(BIN)/sightline makemigrations --check --dry-run -v0
	unset DATABASE_URL; SIGHTLINE_TESTING=1 $(BIN)/pytest -q -n 2 --dist loadgroup

pytest-postgres: install-dev secret
	@url="$${DATABASE_URL:-$(PG_URL)}"; \
	if $(BIN)/python -m sightline.core.dbcheck "$$url"; then \
	  DATABASE_URL="$$url" SIGHTLINE_TESTING=1 $(BIN)/pytest -q -n 2 --dist loadgroup -m "not browser and not spark"; \
	elif [ "$${SIGHTLINE_REQUIRE_POSTGRES:-0}" = "1" ]; then \
	  echo "PostgreSQL is required (SIGHTLINE_REQUIRE_POSTGRES=1) but $$url is not reachable"; exit 1; \
	else \
	  echo "Skipping the PostgreSQL run: $$url is not reachable (set SIGHTLINE_REQUIRE_POSTGRES=1 to fail instead)"; \
	fi

## test: ruff, mypy, pytest on SQLite (with browser tests) and PostgreSQL
test: browser-deps java-deps validators lint typecheck pytest-sqlite pytest-postgres

clean:
	rm -rf $(VENV) $(VALIDATORS_VENV) var/static test-artifacts var/.demo-prepared
