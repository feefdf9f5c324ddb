#!/usr/bin/env bash
# Throwaway PostgreSQL for tests: initdb as the postgres user in a temp folder,
# listening only on 127.0.0.1 at a free port, fsync off (test data only).
#   source tests/support/postgres.sh; postgres_start; ...; postgres_stop
# postgres_start exports SCOLIOMASSAGE_TEST_POSTGRES_URL.

postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir ]] || { echo "postgres.sh: PostgreSQL server not installed" >&2; return 1; }
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

postgres_start() {
  local bin
  bin=$(postgres_bin) || return 1
  PG_TEST_DIR=$(mktemp -d /tmp/scoliomassage-pg.XXXXXX)
  chown postgres:postgres "$PG_TEST_DIR" 2>/dev/null || true
  PG_TEST_PORT=$(free_port)
  local as_postgres=()
  if [[ $(id -u) == 0 ]]; then as_postgres=(runuser -u postgres --); fi
  "${as_postgres[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust >"$PG_TEST_DIR/initdb.log" 2>&1 ||
    { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_TEST_PORT -k $PG_TEST_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
  "${as_postgres[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres scoliomassage_test
  export PG_TEST_DIR PG_TEST_PORT PG_TEST_BIN="$bin"
  export SCOLIOMASSAGE_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_TEST_PORT/scoliomassage_test"
  echo "postgres.sh: PostgreSQL on 127.0.0.1:$PG_TEST_PORT ($PG_TEST_DIR)" >&2
}

postgres_stop() {
  [[ -n ${PG_TEST_DIR:-} && -d $PG_TEST_DIR ]] || return 0
  local as_postgres=()
  if [[ $(id -u) == 0 ]]; then as_postgres=(runuser -u postgres --); fi
  "${as_postgres[@]}" "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
  unset PG_TEST_DIR
}
