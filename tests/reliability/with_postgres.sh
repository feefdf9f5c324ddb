#!/usr/bin/env bash
# Runs a reliability test against its own throwaway PostgreSQL (and, with
# --standby, a streaming hot standby of it), then stops them.
#   with_postgres.sh [--standby] [--synchronous-commit] TEST.py ARGS...
# Exit 77 (skipped) when the PostgreSQL server programs are not installed.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/postgres.sh"
standby=0
while [[ $1 == --* ]]; do
  case $1 in
    --standby) standby=1 ;;
    --synchronous-commit) export PG_TEST_SYNCHRONOUS_COMMIT=on ;;
  esac
  shift
done
postgres_bin >/dev/null 2>&1 || { echo "SKIP: PostgreSQL server not installed"; exit 77; }
cleanup() { postgres_stop_standby; postgres_stop; }
trap cleanup EXIT
postgres_start || exit 1
if [[ $standby == 1 ]]; then postgres_start_standby || exit 1; fi
/usr/bin/python3 "$@"
