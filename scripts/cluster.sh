#!/usr/bin/env bash
# A real several-node deployment on this machine: PostgreSQL, Redis, N nodes and nginx.
#   scripts/cluster.sh up N [--base DIR] [--library PATH | --no-ingest] [--port PORT]
#   scripts/cluster.sh down [--base DIR]
# `up` prints one JSON line: {"url", "database_url", "redis_url", "nodes": [{"url", "pid"}]}.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" scripts/cluster.py "$@"
