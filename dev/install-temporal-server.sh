#!/usr/bin/env bash
# Builds the production Temporal server and its SQL schema tool from the Go module proxy into .tools/temporal-server/
# (the rehearsal cluster runs them; the dev stack keeps using the CLI's start-dev). The binaries are cached: a second
# run with the same pinned version does nothing, and the machine's Go build and module caches make a fresh clone's
# build incremental. Needs Go >= the module's `go` line (TEMPORAL_SERVER_VERSION below).
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.32.1}"
DEST=.tools/temporal-server
STAMP="$DEST/.version"

if [ -x "$DEST/temporal-server" ] && [ -x "$DEST/temporal-sql-tool" ] && [ -f "$STAMP" ] \
  && [ "$(cat "$STAMP")" = "$TEMPORAL_SERVER_VERSION" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "segugio: Go is required to build the Temporal server (go.temporal.io/server $TEMPORAL_SERVER_VERSION)" >&2
  exit 1
fi
mkdir -p "$DEST"
echo "segugio: building go.temporal.io/server $TEMPORAL_SERVER_VERSION (server + temporal-sql-tool) into $DEST" >&2
# GOTOOLCHAIN=local: never fetch another Go toolchain; the pinned version is one whose `go` line the machine's Go meets.
# -p bounds parallel compile jobs: the machine is small and shared.
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--p=2}"
GOBIN="$PWD/$DEST" go install -trimpath "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION"
GOBIN="$PWD/$DEST" go install -trimpath "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
mv -f "$DEST/server" "$DEST/temporal-server"
mv -f "$DEST/sql" "$DEST/temporal-sql-tool"
echo "$TEMPORAL_SERVER_VERSION" > "$STAMP"
