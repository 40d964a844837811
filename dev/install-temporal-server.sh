#!/usr/bin/env bash
# Builds the production Temporal server and its SQL schema tool from the Go module proxy into .tools/temporal-server/
# (the rehearsal cluster runs them; the dev stack keeps using the CLI's start-dev). Needs Go >= the module's `go` line.
#
# Where the binaries come from, fastest first (docs/performance.md, "The server binary in CI"):
#   1. .tools/temporal-server/ already holds this version: nothing to do.
#   2. The machine's cache (SEGUGIO_TOOLS_CACHE, default ~/.cache/segugio) holds it from an earlier build, by any
#      clone: copied (a second or two). A fresh clone in CI on a machine that built it once starts here.
#   3. Built with `go install -trimpath`; Go's own build cache makes a rebuild a relink. A cold build (empty Go
#      caches) compiles ~2,000 packages: tens of minutes on two cores, longer on a loaded machine.
#
#   bash dev/install-temporal-server.sh               build in the foreground (exit 0 when the binaries are there)
#   bash dev/install-temporal-server.sh --background  return at once: exit 0 when they are there already, else start
#                                                     the build in the background (niced) and exit 3; progress in
#                                                     .segugio/temporal-server-build.{log,pid,rc}
#   bash dev/install-temporal-server.sh --status      exit 0 ready, 3 building, 4 failed (rc file), 5 not started
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.32.1}"
DEST=.tools/temporal-server
STAMP="$DEST/.version"
CACHE="${SEGUGIO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/segugio}/temporal-server-$TEMPORAL_SERVER_VERSION"
STATE=.segugio
LOG="$STATE/temporal-server-build.log"
PIDFILE="$STATE/temporal-server-build.pid"
RCFILE="$STATE/temporal-server-build.rc"
mode="${1:-}"
SELF="$PWD/dev/install-temporal-server.sh"

ready() {
  [ -x "$DEST/temporal-server" ] && [ -x "$DEST/temporal-sql-tool" ] && [ -f "$STAMP" ] \
    && [ "$(cat "$STAMP")" = "$TEMPORAL_SERVER_VERSION" ]
}
# Kept for every later clone on this machine (CI's fresh clone included).
save_to_cache() {
  [ -x "$CACHE/temporal-server" ] && [ -x "$CACHE/temporal-sql-tool" ] && return 0
  mkdir -p "$CACHE" 2>/dev/null || return 0
  local f
  for f in temporal-server temporal-sql-tool; do
    cp -f "$DEST/$f" "$CACHE/.$f.tmp" && mv -f "$CACHE/.$f.tmp" "$CACHE/$f"
  done
}
restore() {
  if ready; then
    save_to_cache
    return 0
  fi
  if [ -x "$CACHE/temporal-server" ] && [ -x "$CACHE/temporal-sql-tool" ]; then
    mkdir -p "$DEST"
    cp -f "$CACHE/temporal-server" "$CACHE/temporal-sql-tool" "$DEST/"
    echo "$TEMPORAL_SERVER_VERSION" > "$STAMP"
    echo "segugio: Temporal server $TEMPORAL_SERVER_VERSION copied from the machine's cache ($CACHE)" >&2
    return 0
  fi
  return 1
}
building() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

build() {
  if ! command -v go >/dev/null 2>&1; then
    echo "segugio: Go is required to build the Temporal server (go.temporal.io/server $TEMPORAL_SERVER_VERSION)" >&2
    return 1
  fi
  mkdir -p "$DEST"
  echo "segugio: building go.temporal.io/server $TEMPORAL_SERVER_VERSION (server + temporal-sql-tool) into $DEST" >&2
  # GOTOOLCHAIN=local: never fetch another Go toolchain. -p bounds parallel compile jobs (small shared machine);
  # -trimpath keeps this machine's paths out of the binary; -s -w drop the symbol tables, which shortens the link.
  export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--p=2}"
  local started=$SECONDS tmp
  tmp="$(mktemp -d "$DEST/.build.XXXXXX")"
  GOBIN="$PWD/$tmp" go install -trimpath -ldflags='-s -w' "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION"
  GOBIN="$PWD/$tmp" go install -trimpath -ldflags='-s -w' "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
  mv -f "$tmp/server" "$DEST/temporal-server"
  mv -f "$tmp/sql" "$DEST/temporal-sql-tool"
  rmdir "$tmp"
  echo "$TEMPORAL_SERVER_VERSION" > "$STAMP"
  save_to_cache
  echo "segugio: Temporal server built in $((SECONDS - started)) s" >&2
}

case "$mode" in
  --status)
    ready && exit 0
    building && exit 3
    [ -f "$RCFILE" ] && [ "$(cat "$RCFILE")" != 0 ] && exit 4
    exit 5
    ;;
  --background)
    restore && exit 0
    building && exit 3
    mkdir -p "$STATE"
    rm -f "$RCFILE"
    # setsid: its own process group, so a test run that ends does not take a half-written binary with it by accident;
    # the build ends by itself (CI ends whatever is left when its run stops).
    setsid nice -n 19 bash -c "bash '$SELF' > '$LOG' 2>&1; echo \$? > '$RCFILE'" < /dev/null > /dev/null 2>&1 &
    echo $! > "$PIDFILE"
    echo "segugio: Temporal server build started in the background (log: $LOG)" >&2
    exit 3
    ;;
  '')
    restore && exit 0
    build
    ;;
  *)
    echo "usage: $0 [--background|--status]" >&2
    exit 2
    ;;
esac
