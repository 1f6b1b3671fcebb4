# Otklik — every set-up step lives here, so a fresh machine needs only `make demo` / `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
VENV := .venv
PY := $(VENV)/bin/python
UV := python3 -m uv
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_EMAIL ?= demo@otklik.local
DEMO_PASSWORD ?= otklik-demo-2026
PYTEST_ARGS ?=
BENCHES ?= bench/ingest.py bench/import_bench.py bench/metrics.py bench/insights.py bench/text.py

.PHONY: uv install install-dev demo serve test bench lint format browser cairo clean

uv:  ## bootstrap uv from PyPI when the machine lacks it
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv cairo  ## create .venv and install Otklik with its locked dependencies
	$(UV) sync --frozen --no-dev

cairo:  ## the system cairo library cairosvg uses for the journey map's PNG/PDF exports
	@ldconfig -p | grep -q 'libcairo\.so\.2' || { \
	  echo "installing Debian's libcairo2 for PNG/PDF exports"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcairo2) >/dev/null; }

install-dev: uv cairo  ## the same plus test/lint tools
	$(UV) sync --frozen

demo: install  ## install, migrate, load the demo company, serve at http://$(HOST):$(PORT)
	$(PY) -m otklik migrate
	$(PY) -m otklik demo
	$(PY) -m otklik user create --email $(DEMO_EMAIL) --password $(DEMO_PASSWORD) --role admin --name "Demo Admin" --if-missing
	@# ~40k comments take minutes of CPU: analyse them in the background, an even sample first
	@mkdir -p otklik-data && ($(PY) -m otklik text run > otklik-data/text-run.log 2>&1 &)
	@echo ""
	@echo "  Comments are being analysed in the background (log: otklik-data/text-run.log)"
	@echo "  Otklik demo: http://$(HOST):$(PORT)   login: $(DEMO_EMAIL) / $(DEMO_PASSWORD)"
	@echo ""
	$(PY) -m otklik serve --host $(HOST) --port $(PORT) --with-worker

serve: install  ## serve with the background worker
	$(PY) -m otklik serve --host $(HOST) --port $(PORT) --with-worker

browser:  ## Debian's Chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }

test: install-dev browser  ## the whole suite, on SQLite and PostgreSQL
	@# pytest exits 5 when it collects nothing: that is not a failure of the build.
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

bench: install-dev  ## benchmarks: figures and ratios against in-run baselines
	@# every benchmark runs even when an earlier one misses its target; the exit code reports any miss
	@rc=0; for b in $(BENCHES); do echo "== $$b"; $(PY) $$b || rc=1; done; exit $$rc

lint: install-dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format: install-dev
	$(VENV)/bin/ruff check --fix src tests bench
	$(VENV)/bin/ruff format src tests bench

clean:
	rm -rf $(VENV) otklik-data .pytest_cache
