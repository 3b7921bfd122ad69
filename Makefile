# Yishi: `make run` serves the demo, `make test` runs every test.
# Each target does all of its own set-up on a fresh Debian machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENDOR := static/vendor/htmx.min.js static/vendor/sse.js
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
TEST_PACKAGES := chromium
PYTEST_ARGS ?=
# Tests run in one process per core (pytest-xdist); TEST_WORKERS=0 runs them in this one.
TEST_WORKERS ?= auto

.PHONY: run test lint setup system-deps test-system-deps catalogs serve clean

run: setup
	$(PY) -m yishi.cli migrate
	$(PY) -m yishi.cli demo
	@echo
	@echo "Open http://127.0.0.1:8000 in your browser (Ctrl+C stops the server)."
	$(PY) -m yishi.cli serve --host 127.0.0.1 --port 8000

test: setup test-system-deps lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Style and layering, checked before the tests (configured in pyproject.toml).
lint: setup
	$(PY) -m ruff check src tests bench
	$(PY) -m ruff format --check src tests bench
	$(VENV)/bin/lint-imports --no-cache

setup: system-deps $(STAMP) $(VENDOR) catalogs

# Debian packages: installed with apt-get when missing and we are root,
# otherwise a message that says what to install.
define ensure_packages
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Yishi needs these Debian packages: $$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

system-deps:
	$(call ensure_packages,$(SYSTEM_PACKAGES))

test-system-deps:
	$(call ensure_packages,$(TEST_PACKAGES))

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Yishi needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.js static/vendor/sse.js

catalogs: $(STAMP)
	$(PY) -m yishi.i18n

clean:
	rm -rf $(VENV) node_modules static/vendor
