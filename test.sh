#!/usr/bin/env bash
# Runs every Proactive test, as CI does (.ci/run calls exactly this).
# Needs the .NET 10 SDK. Installs PostgreSQL (npm, for the chart tests' Helm, and Chromium, for the
# console's browser test) from Debian's packages when missing, starts a throwaway cluster on a free
# loopback port for the run, and stops it at the end. Checks formatting, builds with warnings as errors, runs every test project
# against SQLite and PostgreSQL, and ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ -z "$(pg_bin)" ]; then
    echo "Installing PostgreSQL from Debian's packages..."
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
# tests/Proactive.Deploy.Tests run a real Helm, which they take from an npm package on first use.
if ! command -v npm >/dev/null; then
    echo "Installing npm from Debian's packages..."
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi
# tests/Proactive.Console.Tests drive Debian's headless Chromium with Playwright (no browser
# download); the CJK fonts let the screenshots show Korean.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
    echo "Installing Chromium and CJK fonts from Debian's packages..."
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
PG_BIN=$(pg_bin)

# A throwaway cluster owned by the postgres user (initdb refuses to run as root).
pg_dir=$(mktemp -d /tmp/proactive-pg.XXXXXX)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pg_dir"; fi
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
cleanup() {
    run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir" "$log"
}
trap cleanup EXIT
run_pg "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
export PROACTIVE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export PROACTIVE_TEST_PG_RESTART="$(declare -f run_pg); run_pg '$PG_BIN/pg_ctl' -D '$pg_dir/data' -m fast -w restart >/dev/null"
export PROACTIVE_REQUIRE_POSTGRES=1

dotnet restore Proactive.sln
dotnet build Proactive.sln --no-restore -c Release
dotnet format Proactive.sln --verify-no-changes --no-restore
set +e
dotnet test --solution Proactive.sln --no-build -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Repeat each failure's name and message at the end, where a truncated CI log still shows it.
if [ "$status" != 0 ]; then
    echo "---- failures ----"
    grep -E -A 25 '^\s*failed [^:]' "$log" | grep -v -E '^\s+at (System|Microsoft|Xunit)\.' | head -150 || true
fi
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
echo "${passed} passed, ${failed} failed"
exit "$status"
