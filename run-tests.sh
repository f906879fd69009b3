#!/usr/bin/env bash
# The whole test suite: lint, types, migrations, then pytest (unit, HTTP, websocket, browser).
# SQLite by default; set DATABASE_URL (and REDIS_URL) to run it against PostgreSQL (and Redis).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh dev
scripts/ensure-chromium.sh
export HAFEN_DATA_DIR="$(mktemp -d)"
# Websocket tests reach the database from worker threads: close connections after use,
# so that the test database can be dropped at the end.
export HAFEN_DB_CONN_MAX_AGE=0
# SQLite's test database as a file, not in memory: threads and real server processes
# (concurrency, restart and multi-process tests) can then open it too.
export HAFEN_TEST_SQLITE_NAME="$HAFEN_DATA_DIR/test.sqlite3"
trap 'rm -rf "$HAFEN_DATA_DIR"' EXIT
echo "== ruff";  .venv/bin/ruff check .
echo "== mypy";  .venv/bin/mypy hafen
echo "== migrations are complete"; .venv/bin/hafen makemigrations --check --dry-run
database=SQLite; [ -n "${DATABASE_URL:-}" ] && database=PostgreSQL
layer=in-process; [ -n "${REDIS_URL:-}" ] && layer=Redis
echo "== pytest on $database, channel layer $layer"
.venv/bin/pytest "$@"
