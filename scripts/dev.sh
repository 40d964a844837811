#!/usr/bin/env bash
# Runs Segugio: installs what is missing, then starts PostgreSQL, Temporal (+ UI), the worker and the API.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node_modules/.bin/tsx dev/dev.ts
