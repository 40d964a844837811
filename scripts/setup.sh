#!/usr/bin/env bash
# Installs everything Segugio needs on a fresh clone: npm packages (with the adapter-pg patch), the Temporal CLI and
# test server, and the generated Prisma client. Safe to run again: each step is skipped when already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then echo "segugio: Node.js 20+ is required" >&2; exit 1; fi
node -e 'const [M,m]=process.versions.node.split(".").map(Number); if (M<20||(M===20&&m<3)) { console.error("segugio: Node.js >= 20.3 is required, found "+process.version); process.exit(1) }'

stamp=node_modules/.segugio-install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "segugio: installing npm packages" >&2
  # `npm install` rather than `npm ci`: the lock omits @swc/core's optional builds for other platforms, which this
  # registry does not serve, and `npm ci` refuses such a lock; with the lock present `npm install` installs from it.
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

bash scripts/install-temporal.sh

gen=generated/prisma/client.ts
if [ ! -f "$gen" ] || [ prisma/schema.prisma -nt "$gen" ]; then
  echo "segugio: generating the Prisma client" >&2
  npx --no-install prisma generate >/dev/null
fi

# The console's browser tests drive Debian's Chromium through playwright-core (which never downloads a browser).
# Installed only when missing and only as root; without it the e2e tests skip and say why.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "segugio: installing Chromium for the console's browser tests" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
      echo "segugio: could not install Chromium; the e2e tests will be skipped" >&2
    fi
  else
    echo "segugio: /usr/bin/chromium is missing (install the 'chromium' package as root); the e2e tests will be skipped" >&2
  fi
fi

# The letter tests read the rendered PDFs back with poppler-utils (pdftotext, pdftoppm). Root only, when missing.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "segugio: installing poppler-utils for the letter tests" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }; then
      echo "segugio: could not install poppler-utils; the letter tests will fail until pdftotext is available" >&2
    fi
  else
    echo "segugio: pdftotext/pdftoppm missing (install the 'poppler-utils' package as root); the letter tests need them" >&2
  fi
fi

# The PEC tests read the provider's receipts from a real IMAP mailbox: Debian's Dovecot, started by the test itself
# with its own configuration under a temporary directory (loopback only). Root only, when missing.
if [ ! -x /usr/sbin/dovecot ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "segugio: installing dovecot-imapd for the PEC receipt tests" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; }; then
      echo "segugio: could not install dovecot-imapd; the PEC integration test will fail until /usr/sbin/dovecot exists" >&2
    fi
    # The package starts a system-wide Dovecot; the tests start their own, so the system one is not needed.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now dovecot >/dev/null 2>&1 || true; fi
  else
    echo "segugio: /usr/sbin/dovecot missing (install the 'dovecot-imapd' package as root); the PEC tests need it" >&2
  fi
fi
