#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL (and Redis, when redis-server exists).
# Both listen on loopback on free ports, live in a temp dir, and are stopped on exit.
# The command's exit code is this script's exit code.
set -euo pipefail

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

if ! PG_BIN=$(find_pg_bin); then
  cat >&2 <<'MSG'
The PostgreSQL server binaries (initdb, pg_ctl) were not found.
The test suite runs against a real PostgreSQL. Install them, e.g.:
  Debian/Ubuntu:  sudo apt-get install postgresql        (binaries in /usr/lib/postgresql/<v>/bin)
  macOS:          brew install postgresql@15
then run `make test` again.
MSG
  exit 3
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

WORK=$(mktemp -d -t portal-test-XXXXXX)
PG_DATA="$WORK/pg"
PG_PORT=$(free_port)
REDIS_PID=""
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" = "0" ]; then chown postgres "$WORK"; chmod 755 "$WORK"; fi
as_pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres --no-sync -E UTF8 >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; exit 3; }
# Durability off: this database lives for one test run.
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg.log" -w -t 60 start -o \
  "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
   -c full_page_writes=off -c max_connections=300 -c shared_buffers=256MB" >/dev/null \
  || { cat "$WORK/pg.log" >&2; exit 3; }
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/portal"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

if command -v redis-server >/dev/null 2>&1; then
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORK" --logfile "$WORK/redis.log" --daemonize no &
  REDIS_PID=$!
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  # Tests marked `celery` use this broker with a real worker; the rest stay in-process.
  export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  echo "Redis on 127.0.0.1:$REDIS_PORT"
else
  echo "redis-server not found: tests marked 'celery' will be skipped"
fi

set +e
"$@"
status=$?
set -e
exit $status
