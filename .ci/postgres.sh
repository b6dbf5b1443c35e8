# A PostgreSQL server for the part-10 pipeline tests. Source this file, then:
#
#   start_postgres    use $DATABASE_URL if it answers; otherwise start a throw-away server
#                     on 127.0.0.1 (a random free port, a temporary data directory) and
#                     export DATABASE_URL; installs Debian's `postgresql` package first
#                     when the server programs are missing and this runs as root.
#                     The server is stopped and its directory removed when the shell exits.
#
# Anything that goes wrong stops the run with a message on stderr: the PostgreSQL tests are
# never skipped quietly because a server could not be had.

PG_DATA_DIR=""
PG_BIN=""

pg_say() { printf '[postgres] %s\n' "$*" >&2; }
pg_die() { printf '[postgres] ERROR: %s\n' "$*" >&2; exit 1; }

pg_find_bin() {
    # Debian keeps the server programs in /usr/lib/postgresql/<version>/bin, off the PATH.
    local candidate
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v pg_ctl)")"
        return 0
    fi
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/postgres" ]; then
            PG_BIN="$candidate"
            return 0
        fi
    done
    return 1
}

pg_install() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        pg_die "no PostgreSQL server programs found (pg_ctl, initdb), and they cannot be installed here" \
               "(needs root and apt-get). Install PostgreSQL, or set DATABASE_URL to a server."
    fi
    pg_say "installing PostgreSQL (apt-get install postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || pg_die "apt-get update failed"
    apt-get install -y -qq postgresql >&2 || pg_die "apt-get install postgresql failed"
}

pg_as_owner() {
    # initdb and postgres refuse to run as root: run them as the `postgres` user then.
    if [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_answers() {
    # True when the server at URL $1 accepts connections.
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -t 10 -d "$1" >/dev/null 2>&1
    elif [ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_isready" ]; then
        "$PG_BIN/pg_isready" -q -t 10 -d "$1" >/dev/null 2>&1
    else
        return 0  # nothing to ask with: the tests will say so loudly if it does not answer
    fi
}

stop_postgres() {
    if [ -n "$PG_DATA_DIR" ] && [ -d "$PG_DATA_DIR" ]; then
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_DATA_DIR"
        PG_DATA_DIR=""
    fi
}

start_postgres() {
    if [ -n "${DATABASE_URL:-}" ]; then
        pg_answers "$DATABASE_URL" || pg_die "DATABASE_URL is set but the server does not answer"
        pg_say "using the PostgreSQL server DATABASE_URL points at"
        return 0
    fi
    pg_find_bin || { pg_install; pg_find_bin || pg_die "PostgreSQL was installed but pg_ctl/initdb were not found"; }
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        pg_die "running as root and there is no 'postgres' user to run the server as"
    fi

    local port
    port="$(pg_free_port)" || pg_die "could not find a free port on 127.0.0.1"
    PG_DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/depipe-postgres.XXXXXX")"
    trap stop_postgres EXIT
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA_DIR"

    pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C \
        --no-sync --no-instructions >"$PG_DATA_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DATA_DIR/initdb.log" >&2; pg_die "initdb failed"; }
    # Loopback only; durability off (a throw-away server: a crash of the *server* loses nothing we keep).
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR/data" -l "$PG_DATA_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DATA_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null \
        || { tail -n 30 "$PG_DATA_DIR/server.log" >&2 || true; pg_die "the server did not start"; }

    export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
    pg_answers "$DATABASE_URL" || { tail -n 30 "$PG_DATA_DIR/server.log" >&2 || true; pg_die "the server started but does not answer"; }
    pg_say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_DATA_DIR, removed on exit)"
}
