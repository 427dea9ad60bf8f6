# ECER — the two commands a person needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint typecheck pytest browser fonts poppler messages bench clean

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

install: $(BIN)/.installed

# Migrate the embedded database, load the Beihai plan and the demo data (idempotent), serve.
# A demo: DEBUG on here only (tracebacks, static files from runserver); off everywhere else.
run: install fonts
	HOST=$(HOST) PORT=$(PORT) $(BIN)/ecer setup --demo
	ECER_DEBUG=1 $(BIN)/ecer manage runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests (Playwright with executablePath); install it when absent.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium and CJK fonts for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# The PDF reports embed Noto Sans CJK SC (ECER_PDF_FONT overrides); install it when no Chinese font is.
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "Installing fonts-noto-cjk for the PDF reports"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }

# The PDF tests render pages with poppler (pdftoppm, pdftotext); install it when absent.
poppler:
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  echo "Installing poppler-utils for the PDF tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

LINT_PATHS := $(wildcard src tests benchmarks examples)

lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: install
	$(BIN)/mypy

pytest: install browser fonts poppler
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test: lint typecheck pytest

messages: install
	cd src/ecer/web && ../../../$(BIN)/ecer manage compilemessages

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) var test-artifacts
