#!/usr/bin/env bash
# Throwaway PostgreSQL for tests: initdb as the postgres user in a temp folder,
# listening only on 127.0.0.1 at a free port, fsync off (test data only).
#   source tests/support/postgres.sh; postgres_start; ...; postgres_stop
# postgres_start exports SCOLIOMASSAGE_TEST_POSTGRES_URL. PG_TEST_SYNCHRONOUS_COMMIT=on makes
# commits wait for their WAL write (tests that SIGKILL the server need it).

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
    -o "-c listen_addresses=127.0.0.1 -p $PG_TEST_PORT -k $PG_TEST_DIR -c fsync=off -c synchronous_commit=${PG_TEST_SYNCHRONOUS_COMMIT:-off} -c full_page_writes=off -c max_connections=200" \
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

# --- a streaming-replication hot standby of the server postgres_start made ---
#   postgres_start; postgres_start_standby; ... postgres_stop_standby; postgres_stop
# postgres_start_standby copies the primary with pg_basebackup -R (which
# writes primary_conninfo and standby.signal), starts it with hot_standby=on
# on its own free port and folder, and exports PG_STANDBY_DIR, PG_STANDBY_PORT
# and SCOLIOMASSAGE_TEST_STANDBY_URL. initdb -A trust already lets the
# superuser replicate over loopback (pg_hba.conf's "replication" lines), and
# PostgreSQL 15's default wal_level is replica.

_postgres_as() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_start_standby() {
  [[ -n ${PG_TEST_DIR:-} ]] || { echo "postgres.sh: postgres_start first" >&2; return 1; }
  PG_STANDBY_DIR=$(mktemp -d /tmp/scoliomassage-pg-standby.XXXXXX)
  chown postgres:postgres "$PG_STANDBY_DIR" 2>/dev/null || true
  PG_STANDBY_PORT=$(free_port)
  _postgres_as "$PG_TEST_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_TEST_PORT" -U postgres \
    -D "$PG_STANDBY_DIR/data" -R -X stream -c fast >"$PG_STANDBY_DIR/basebackup.log" 2>&1 ||
    { cat "$PG_STANDBY_DIR/basebackup.log" >&2; return 1; }
  export PG_STANDBY_DIR PG_STANDBY_PORT
  export SCOLIOMASSAGE_TEST_STANDBY_URL="postgresql://postgres@127.0.0.1:$PG_STANDBY_PORT/scoliomassage_test"
  postgres_resume_standby || return 1
  echo "postgres.sh: hot standby on 127.0.0.1:$PG_STANDBY_PORT ($PG_STANDBY_DIR)" >&2
}

# Starts the standby again after postgres_pause_standby (same folder, port).
postgres_resume_standby() {
  _postgres_as "$PG_TEST_BIN/pg_ctl" -D "$PG_STANDBY_DIR/data" -l "$PG_STANDBY_DIR/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_STANDBY_PORT -k $PG_STANDBY_DIR -c hot_standby=on -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_STANDBY_DIR/server.log" >&2; return 1; }
}

# Stops the standby but keeps its folder (postgres_resume_standby restarts it).
postgres_pause_standby() {
  _postgres_as "$PG_TEST_BIN/pg_ctl" -D "$PG_STANDBY_DIR/data" -m fast -w stop >/dev/null 2>&1
}

# Promotes the standby to a primary (failover); it keeps its port.
postgres_promote_standby() {
  _postgres_as "$PG_TEST_BIN/pg_ctl" -D "$PG_STANDBY_DIR/data" -w -t 30 promote >/dev/null
}

postgres_stop_standby() {
  [[ -n ${PG_STANDBY_DIR:-} && -d $PG_STANDBY_DIR ]] || return 0
  postgres_pause_standby || true
  rm -rf "$PG_STANDBY_DIR"
  unset PG_STANDBY_DIR
}

# SIGKILL of the primary's postmaster and then of every backend it had
# started (by process id, read from postmaster.pid and /proc), as a crash or
# the OOM killer would; postgres_restart_after_kill starts it again (crash
# recovery replays the WAL).
postgres_kill() {
  local postmaster child children=()
  postmaster=$(head -n 1 "$PG_TEST_DIR/data/postmaster.pid" 2>/dev/null) || return 1
  for child in /proc/[0-9]*; do
    [[ $(awk '/^PPid:/ {print $2}' "$child/status" 2>/dev/null) == "$postmaster" ]] && children+=("${child#/proc/}")
  done
  kill -KILL "$postmaster" 2>/dev/null
  for child in "${children[@]}"; do kill -KILL "$child" 2>/dev/null; done
  for _ in $(seq 100); do
    local alive=0
    for child in "$postmaster" "${children[@]}"; do kill -0 "$child" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && return 0
    sleep 0.05
  done
}

postgres_restart_after_kill() {
  _postgres_as "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_TEST_PORT -k $PG_TEST_DIR -c fsync=off -c synchronous_commit=${PG_TEST_SYNCHRONOUS_COMMIT:-off} -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { tail -n 30 "$PG_TEST_DIR/server.log" >&2; return 1; }
}
