#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster (default durability: fsync and synchronous_commit on) on a
# Unix socket, creates the roles of docs/library.md, migrates it as the owner, and runs
# `customui-bench library-postgres` as the engine's role, then `customui-bench library` (SQLite)
# for the figures side by side. Needs Debian's postgresql; as root the server runs as `postgres`.
#
#   swift build -c release --product customui-bench && swift build -c release --product customui
#   docs/benchmarks/library-postgres/run.sh [BIN_DIR]      (default: .build/release)
set -euo pipefail
bin=${1:-.build/release}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/customui-pgbench.XXXXXX)
mkdir -p "$dir/data" "$dir/sock"
as=()
if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; as=(runuser -u postgres --); fi
stop() { "${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap stop EXIT
"${as[@]}" "$pgbin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-k $dir/sock -c listen_addresses='' -c shared_buffers=256MB" start >/dev/null
psql=("$pgbin/psql" -h "$dir/sock" -U postgres -d postgres -v ON_ERROR_STOP=1 -q)
"${psql[@]}" -c "CREATE ROLE customui_owner LOGIN CREATEROLE; CREATE ROLE customui_engine NOLOGIN;
    CREATE ROLE customui_app LOGIN IN ROLE customui_engine;"
"${psql[@]}" -c "CREATE DATABASE customui OWNER customui_owner;"
socket=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$dir/sock")
"$bin/customui" library migrate --library "postgresql://customui_owner@/customui?host=$socket"
echo "== $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
CUSTOMUI_BENCH_POSTGRES_URL="postgresql://customui_app@/customui?host=$socket" "$bin/customui-bench" library-postgres
echo "== $(date -u '+%F %T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin/customui-bench" library
