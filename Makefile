# One task runner: `make run`, `make test`, `make lint`, `make bench`. CI calls `make test`.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp

.PHONY: install system-deps run examples test lint format bench sample-library clean

# Who may frame /sidebar locally: the server itself and the example CRM pages (`make examples`).
FRAME_ANCESTORS ?= 'self' http://127.0.0.1:8001 http://localhost:8001

# torch first, from the CPU wheel on disk, so nothing later pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the test suite needs (a real PostgreSQL server, Chromium); installed if missing.
system-deps:
	bash scripts/install-system-deps.sh

run: install
	$(BIN)/enablement ingest content_catalog
	@$(BIN)/enablement simulate --if-empty --deals 400 --days 90 >/dev/null
	@$(BIN)/enablement keys local --save data/local-admin.key >/dev/null
	@echo "Serving on http://127.0.0.1:8000 (docs at /docs). An admin key for local use is in"
	@echo "data/local-admin.key; try:"
	@echo "  curl -s -X POST http://127.0.0.1:8000/v1/recommendations \\"
	@echo "    -H \"Authorization: Bearer \$$(cat data/local-admin.key)\" -H 'Content-Type: application/json' \\"
	@echo "    -d '{\"stage\": \"Needs Analysis\", \"vertical\": \"healthcare\", \"questions\": [\"do you sign a BAA?\"], \"k\": 3}'"
	@echo "The CRM sidebar, signed in as demo-rep for 8 hours (example CRM pages: run \`make examples\`):"
	@$(BIN)/enablement embed-token --user demo-rep --ttl 28800 --deal-id demo-deal-1 \
	  --stage "Needs Analysis" --vertical healthcare --question "do you sign a BAA?" \
	  --host-page http://127.0.0.1:8001/salesforce/ --host-page http://127.0.0.1:8001/hubspot/
	@echo "The marketer dashboard, signed in as demo-marketer for 8 hours:"
	@$(BIN)/enablement embed-token --user demo-marketer --role marketer --ttl 28800
	ENABLEMENT_FRAME_ANCESTORS="$${ENABLEMENT_FRAME_ANCESTORS:-$(FRAME_ANCESTORS)}" \
	  $(BIN)/enablement serve --host 127.0.0.1 --port 8000 --workers 2

# The example CRM pages (examples/) on another origin, framing the sidebar that `make run` serves.
examples:
	@echo "Example CRM pages on http://127.0.0.1:8001/salesforce/ and /hubspot/ (URLs with a token: see make run)"
	$(PYTHON) -m http.server 8001 --bind 127.0.0.1 --directory examples

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
	$(BIN)/python benchmarks/sidebar.py

# Re-render content_catalog's PDF/DOCX/PPTX/HTML/TXT assets from scripts/sample_library/.
sample-library: install
	$(BIN)/python scripts/build_sample_library.py

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
