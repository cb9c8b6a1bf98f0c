#!/bin/sh
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the relay's tests and
# prints its URL on stdout (the only stdout line), e.g.
#   export ACQUIT_RELAY_TEST_DATABASE_URL="$(crates/relay/tests/start-postgres.sh)"
#   cargo test -p acquit-relay
# Stop it with: pg_ctl -D "$PGDATA_DIR" stop (the path is printed on stderr).
# Needs PostgreSQL's server binaries (Debian: `apt-get install postgresql`).
# Run as root, it runs the server as the `postgres` user (initdb refuses root).
set -eu

PORT="${ACQUIT_RELAY_TEST_PG_PORT:-55432}"
BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$BIN/initdb" ] || { echo "start-postgres: no initdb under ${BIN:-/usr/lib/postgresql/*/bin}; install postgresql or set PG_BIN" >&2; exit 1; }
DIR="$(mktemp -d /tmp/acquit-relay-pg.XXXXXX)"
DATA="$DIR/data"

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres:postgres "$DIR"
        su postgres -s /bin/sh -c "$1"
    else
        sh -c "$1"
    fi
}

as_pg "'$BIN/initdb' -D '$DATA' -U postgres --auth=trust -E UTF8 >'$DIR/initdb.log' 2>&1" \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "'$BIN/pg_ctl' -D '$DATA' -w -l '$DIR/pg.log' -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=on\" start >/dev/null" \
    || { cat "$DIR/pg.log" >&2; exit 1; }
echo "start-postgres: cluster in $DATA on 127.0.0.1:$PORT (log $DIR/pg.log)" >&2
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
