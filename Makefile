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
	@$(BIN)/enablement keys local --save data/local-admin.key >/dev/null
	@echo "Serving on http://127.0.0.1:8000 (docs at /docs). An admin key for local use is in"
	@echo "data/local-admin.key; try:"
	@echo "  curl -s -X POST http://127.0.0.1:8000/v1/recommendations \\"
	@echo "    -H \"Authorization: Bearer \$$(cat data/local-admin.key)\" -H 'Content-Type: application/json' \\"
	@echo "    -d '{\"stage\": \"Needs Analysis\", \"vertical\": \"healthcare\", \"questions\": [\"do you sign a BAA?\"], \"k\": 3}'"
	$(BIN)/enablement serve --host 127.0.0.1 --port 8000 --workers 2

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
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python benchmarks/api.py

# Re-render content_catalog's PDF/DOCX/PPTX/HTML/TXT assets from scripts/sample_library/.
sample-library: install
	$(BIN)/python scripts/build_sample_library.py

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
