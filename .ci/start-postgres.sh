#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the test suite and print its URL.
# Installs Debian's postgresql package when no server binaries are present.
set -euo pipefail
# A free port unless one is given (a server left running by an earlier run keeps its own).
port="${1:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    else
        echo "PostgreSQL is not installed and we are not root" >&2
        exit 1
    fi
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
base=$(mktemp -d /tmp/certdesk-pg.XXXXXX)
run=() ; [ "$(id -u)" = 0 ] && { chown postgres "$base"; run=(runuser -u postgres --); }
"${run[@]}" "$bin/initdb" -D "$base/data" -A trust -U postgres >/dev/null
"${run[@]}" "$bin/pg_ctl" -D "$base/data" -l "$base/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c fsync=off -c max_connections=200" \
    start >/dev/null
echo "postgresql://postgres@127.0.0.1:$port/postgres"
