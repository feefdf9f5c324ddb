#!/bin/sh
# Installs the pinned browser driver for tests/report (playwright-core, no
# browser download: the tests drive Debian's /usr/bin/chromium). Called by
# tests/run.sh's install stage; safe to rerun.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "tests/report/browser: npm not found; the browser test will be skipped"
  exit 0
fi
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
