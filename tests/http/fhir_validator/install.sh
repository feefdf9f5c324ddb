#!/usr/bin/env bash
# Installs the FHIR validator's pinned npm packages (package-lock.json) into
# tests/http/fhir_validator/node_modules with `npm ci`; skips when they are
# already there for this lock file, and when node or npm is missing (the test
# then reports SKIP). Called by tests/run.sh's install stage.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "fhir_validator: node/npm missing; the FHIR validation test will skip" >&2
  exit 0
fi
stamp=node_modules/.lock-installed
if [[ -f $stamp ]] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
