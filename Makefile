# DTC platform: `make run` starts the site with demo content, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
DTC := $(BIN)/dtc
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2

# The first Python >= 3.12 found (pyenv selects 3.12 through .python-version).
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	  && { command -v $$p; break; }; done)

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help run test pytest test-fast lint bench bench-% assets install install-test demo messages clean

help:
	@echo "make run    start the site and the task worker on http://$(HOST):$(PORT)/ with demo content"
	@echo "make test   run lint and the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  all benchmarks (SIZE=small for a quick run; make bench-web for one)"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "ERROR: no Python 3.12 or newer found. Install one (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 …'." >&2; \
	  exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: $(BIN)/python uv.lock pyproject.toml
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed uv.lock pyproject.toml
	$(BIN)/uv sync --frozen --inexact --extra test --python $(BIN)/python
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm is needed for the NL Design System CSS (install Node.js 20+)." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.package-lock.json

demo: install assets
	$(DTC) migrate --noinput --verbosity 0
	$(DTC) createcachetable
	$(DTC) collectstatic --noinput --verbosity 0
	$(DTC) load_demo --with-demo-users

run: export DTC_SECURE_COOKIES ?= 0
run: export DTC_EMAIL_HOST ?= 127.0.0.1
run: export DTC_EMAIL_PORT ?= 1025
# `make run SCAN_DEMO=1`: serve the scanner's demo domains on loopback and point the scanner at them
# (for a machine without internet; scan goed.demo.test, matig.demo.test or zwak.demo.test on /scan/).
ifdef SCAN_DEMO
run: export DTC_SCAN_DNS = 127.0.0.1:5353
run: export DTC_SCAN_HTTP_PORT = 8080
run: export DTC_SCAN_HTTPS_PORT = 8443
run: export DTC_SCAN_SMTP_PORT = 2525
run: export DTC_SCAN_CA_FILE = $(CURDIR)/var/scan-demo/ca.pem
run: export DTC_SCAN_DNSSEC_ANCHOR_FILE = $(CURDIR)/var/scan-demo/anchor.txt
endif
run: demo
	@echo ""
	@echo "  DTC platform runs on  http://$(HOST):$(PORT)/"
	@echo "  Back office (CMS):    http://$(HOST):$(PORT)/cms/   (staff must set up two-step verification first)"
	@$(DTC) load_demo --print-logins
	@echo "  Mail goes to the local mail catcher: read it on http://127.0.0.1:8025/  Stop with Ctrl-C."
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	  $(DTC) mailcatcher --smtp-port $(DTC_EMAIL_PORT) & \
	  $(if $(SCAN_DEMO),$(DTC) scan_demo_servers --ca-file $(CURDIR)/var/scan-demo/ca.pem &,) \
	  $(DTC) db_worker --queue-name '*' --interval 1 --verbosity 0 & \
	  $(DTC) scheduler & \
	  $(BIN)/gunicorn dtc.wsgi --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --access-logfile - & \
	  wait -n

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/dtc/*/services*.py src/dtc/*/selectors*.py src/dtc/community/interop.py src/dtc/core/visibility.py

test: install-test assets lint pytest

pytest: install-test assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install-test assets
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

messages: install
	cd src/dtc && ../../$(DTC) makemessages -l en --ignore '*/node_modules/*' && ../../$(DTC) compilemessages

bench: install-test assets
	$(BIN)/python -m bench.run all

bench-%: install-test assets
	$(BIN)/python -m bench.run $*

clean:
	rm -rf $(VENV) node_modules var/static
