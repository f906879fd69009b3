#!/usr/bin/env bash
# Run Hafen with demo data on the embedded default (SQLite, no Redis): http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
exec .venv/bin/hafen run --demo "$@"
