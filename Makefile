# One task runner: `make run`, `make test`, `make lint`, `make bench`. CI calls `make test`.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp

.PHONY: install system-deps run test lint format bench sample-library clean

# torch first, from the CPU wheel on disk, so nothing later pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the test suite needs (a real PostgreSQL server); installed only if missing.
system-deps:
	bash scripts/install-system-deps.sh

run: install
	$(BIN)/enablement ingest content_catalog

test: install system-deps
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy src

format: install
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/enablement ingest content_catalog >/dev/null
	$(BIN)/python benchmarks/recommend.py

# Re-render content_catalog's PDF/DOCX/PPTX/HTML/TXT assets from scripts/sample_library/.
sample-library: install
	$(BIN)/python scripts/build_sample_library.py

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
