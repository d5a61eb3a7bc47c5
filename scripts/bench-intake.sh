#!/usr/bin/env bash
# Intake measured side by side in one run on one machine (issue 14): event -> provider request
# latency in the standalone host (first, on a quiet disk), the ack-only AppCallback ceiling, Tracker
# on SQLite and PostgreSQL (single and bulk Dapr deliveries), the standalone HTTP ingest (batch and
# single); then one markdown table. Every row uses the same duration and concurrency and is warmed the same way: the
# same load for BENCH_WARMUP seconds, not counted, right before its timed run.
#
#   scripts/bench-intake.sh            # the table (about 6 minutes with the defaults)
#   scripts/bench-intake.sh latency    # only the event -> provider latency row
#   scripts/bench-intake.sh memory     # a million open orders: Tracker's max RSS (BENCH_ORDERS, default 1000000)
#
# Settings (environment): BENCH_SECONDS (10) timed seconds per row, BENCH_WARMUP (3), BENCH_CONCURRENCY (16),
# BENCH_BULK (100) events per bulk delivery or batch, BENCH_LATENCY_RATE (1000) events/s,
# BENCH_LATENCY_SECONDS (20), BENCH_LATENCY_WARMUP (20) seconds of the same load, notices included, run first
# and not counted (a host that has been running: its code compiled), BENCH_DISK_SECONDS (20) of the disk's own sync latency measured before the latency row, BENCH_NOTICE_EVERY (10) one event in N makes a notice, BENCH_NO_BUILD=1, BENCH_MEMORY_VARIANTS=N only the first N GC settings of the memory run (1: the default),
# BENCH_KEEP_LOGS=DIR copies the servers' logs there at the end, BENCH_HOST_ARGS more settings for the standalone host (space-separated --Key=Value),
# PROACTIVE_TEST_POSTGRES a server to create (and drop) a throwaway database on; without it a
# throwaway cluster is started on a free loopback port when PostgreSQL's binaries are installed,
# else the PostgreSQL rows are skipped. Stores live in a temporary directory on the real disk
# (BENCH_DIR, default /var/tmp), never /dev/shm: commits fsync as in production.
# Everything listens on and calls 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=${1:-table}
secs=${BENCH_SECONDS:-10}
warm=${BENCH_WARMUP:-3}
conc=${BENCH_CONCURRENCY:-16}
bulk=${BENCH_BULK:-100}
lat_rate=${BENCH_LATENCY_RATE:-1000}
lat_secs=${BENCH_LATENCY_SECONDS:-20}
lat_warm=${BENCH_LATENCY_WARMUP:-20}
notice_every=${BENCH_NOTICE_EVERY:-10}
orders=${BENCH_ORDERS:-1000000}

work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/proactive-bench-intake.XXXXXX")
pids=()
pg_dir=""
pg_admin=""
pg_db=""
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    if [ -n "$pg_db" ]; then psql_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
    if [ -n "$pg_dir" ]; then run_pg "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; fi
    if [ -n "${BENCH_KEEP_LOGS:-}" ]; then mkdir -p "$BENCH_KEEP_LOGS" && cp "$work"/*.log "$BENCH_KEEP_LOGS"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"; }
hwm_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

bin=Release
tracker_dll=$root/services/Proactive.Tracker/bin/$bin/net10.0/Proactive.Tracker.dll
standalone_dll=$root/services/Proactive.Standalone/bin/$bin/net10.0/Proactive.Standalone.dll
load_dll=$root/tools/Proactive.LoadTool/bin/$bin/net10.0/AppCallbackLoad.dll
load() { dotnet "$load_dll" "$@"; }

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    log "building (Release): Tracker, Standalone, the load tool"
    for p in services/Proactive.Tracker services/Proactive.Standalone tools/Proactive.LoadTool; do
        dotnet build "$p" -c Release -v quiet -nologo >/dev/null
    done
    sync # the build's files written before anything is measured
fi

# The PostgreSQL server: the one given, or a throwaway cluster of our own.
postgres_server() {
    if [ -n "${PROACTIVE_TEST_POSTGRES:-}" ]; then pg_admin=$PROACTIVE_TEST_POSTGRES; return 0; fi
    [ -n "$(pg_bin)" ] || return 1
    pg_dir=$(mktemp -d "${BENCH_DIR:-/var/tmp}/proactive-bench-pg.XXXXXX")
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pg_dir"; fi
    local port; port=$(free_port)
    run_pg "$(pg_bin)/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    run_pg "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
        -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
    pg_admin="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}
# psql from a Npgsql-style connection string (Host, Port, Username, Password, Database).
pg_field() { echo "$pg_admin" | tr ';' '\n' | awk -F= -v k="$1" 'tolower($1) == tolower(k) { print substr($0, index($0, "=") + 1) }'; }
psql_admin() {
    PGPASSWORD=$(pg_field Password) psql -X -q -v ON_ERROR_STOP=1 -h "$(pg_field Host)" -p "$(pg_field Port)" -U "$(pg_field Username)" \
        -d "$(pg_field Database)" -c "$1"
}

wait_http() { # url pid
    for _ in $(seq 1 240); do
        curl -s -o /dev/null -f "$1" && return 0
        kill -0 "$2" 2>/dev/null || { log "server $2 exited; its log:"; tail -20 "$work"/*.log >&2; return 1; }
        sleep 0.25
    done
    log "$1 never answered"; return 1
}

# One row: the same load BENCH_WARMUP seconds (not counted), then BENCH_SECONDS timed.
declare -A result
row() { # name, load tool arguments...
    local name=$1; shift
    load "$@" --concurrency "$conc" --seconds "$warm" >/dev/null
    local line; line=$(load "$@" --concurrency "$conc" --seconds "$secs")
    log "$name: $line"
    result[$name]=$line
}
field() { echo "${result[$1]:-}" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
p99() { echo "${result[$1]:-}" | awk '{ for (i = 1; i < NF; i++) if ($i == "p99") { print $(i + 1); exit } }'; }

declare -A rss
start_tracker() { # name, extra env...
    local name=$1; shift
    local dir=$work/$name; mkdir -p "$dir"
    app_port=$(free_port); http_port=$(free_port)
    # The load tool calls as daprd does (no API credentials): the APIs are open for the run.
    (cd "$dir" && exec env "$@" APP_PORT="$app_port" Proactive__HttpUrl="http://127.0.0.1:$http_port" Proactive__Auth__Mode=None \
        Logging__LogLevel__Default=Warning dotnet "$tracker_dll") >"$work/$name.log" 2>&1 &
    server=$!; pids+=("$server")
    wait_http "http://127.0.0.1:$http_port/healthz" "$server"
}
stop_server() { # name
    rss[$1]=$(hwm_mb "$server")
    kill "$server"; wait "$server" 2>/dev/null || true
    # Its directory goes now (the table's SQLite stores live there): what the kernel has not yet
    # written of it is dropped, not written back during the next rows (a bulk row leaves a gigabyte
    # or more of dirty pages).
    rm -rf "${work:?}/$1"
}

standalone_settings() { # dir, twilio port, sendgrid port
    echo "--ConnectionStrings:Proactive=Data Source=$1/proactive.db"
    echo "--Proactive:Dispatch:OutboxPath=$1/outbox.jsonl"
    echo "--Proactive:GrpcUrl=http://127.0.0.1:$(free_port)"
    echo "--Logging:LogLevel:Default=Warning"
    echo "--Proactive:Auth:Mode=None"
    echo "--Proactive:Ingest:EventsPerSecondPerSource=0"
    echo "--Proactive:Notices:QuietHoursStart=00:00"
    echo "--Proactive:Notices:QuietHoursEnd=00:00"
    echo "--Twilio:AccountSid=AC0123456789abcdef0123456789abcdef"
    echo "--Twilio:AuthToken=bench-token"
    echo "--Twilio:From=+15005550006"
    echo "--Twilio:BaseUrl=http://127.0.0.1:$2"
    echo "--Twilio:MessagesPerSecond=1000"
    echo "--SendGrid:ApiKey=SG.bench.key"
    echo "--SendGrid:From=notices@shop.example"
    echo "--SendGrid:Host=http://127.0.0.1:$3"
    echo "--SendGrid:MessagesPerSecond=1000"
}
start_standalone() { # name, twilio port, sendgrid port
    local name=$1 dir=$work/$1; mkdir -p "$dir"
    http_port=$(free_port)
    local settings=(); mapfile -t settings < <(standalone_settings "$dir" "$2" "$3")
    # BENCH_HOST_ARGS: more settings for the standalone host, e.g. "--Proactive:Dispatch:SendConcurrency=1".
    if [ -n "${BENCH_HOST_ARGS:-}" ]; then read -r -a extra <<<"$BENCH_HOST_ARGS"; settings+=("${extra[@]}"); fi
    (cd "$dir" && exec dotnet "$standalone_dll" "--urls=http://127.0.0.1:$http_port" "${settings[@]}") >"$work/$name.log" 2>&1 &
    server=$!; pids+=("$server")
    wait_http "http://127.0.0.1:$http_port/healthz" "$server"
}

# The disk's own sync latency (no Proactive running): a small write and fdatasync, again and again,
# in the directory the stores use. A virtual disk that stalls a sync for hundreds of milliseconds
# holds every commit that long, whatever the code does.
disk_sync() { # seconds
    python3 - "$1" "$work" <<'PY'
import os, sys, time
secs, path = float(sys.argv[1]), os.path.join(sys.argv[2], "sync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
block, took, stalls, start = b"x" * 16384, [], [], time.monotonic()
while time.monotonic() - start < secs:
    os.pwrite(fd, block, (len(took) % 4000) * len(block))
    t = time.perf_counter(); os.fdatasync(fd); ms = (time.perf_counter() - t) * 1000
    took.append(ms)
    if ms > 50: stalls.append(f"{ms:.0f}")
os.close(fd); os.unlink(path); took.sort(); n = len(took)
if n == 0: print("disk sync: not measured"); sys.exit(0)
print(f"disk sync: {n} fdatasync in {secs:.0f} s, p50 {took[n // 2]:.2f} ms  p99 {took[int(n * .99)]:.2f} ms  max {took[-1]:.1f} ms  "
      f"stalls over 50 ms: {len(stalls)}" + (f" ({', '.join(stalls)} ms)" if stalls else ""))
PY
}

# Event -> provider request latency at a fixed rate (the probe plays Twilio and SendGrid).
measure_latency() {
    disk=$(disk_sync "${BENCH_DISK_SECONDS:-20}")
    log "$disk"
    twilio_port=$(free_port); sendgrid_port=$(free_port)
    start_standalone latency "$twilio_port" "$sendgrid_port"
    latency=$(load --latency "http://127.0.0.1:$http_port" --twilio-port "$twilio_port" --sendgrid-port "$sendgrid_port" \
        --rate "$lat_rate" --seconds "$lat_secs" --notice-every "$notice_every" --warmup "$lat_warm")
    log "$latency"
    # The host's own CPU time for the whole run (preparing events, timed events, notices): less
    # sensitive to other load on the machine than the latencies.
    log "latency host: $(cpu_s "$server") s of CPU (user + system) for $(( (2 * lat_rate / notice_every + lat_rate) * (lat_secs + lat_warm) )) events and $(( 2 * lat_rate * (lat_secs + lat_warm) / notice_every )) provider requests (warm-up included)"
    # The transactions that held SQLite's one writer 100 ms or more (the host logs each; a long
    # commit is mostly the disk's sync): every notice queued behind one waited as long.
    # (The pattern follows the warning's text in ServiceDefaults/Storage/SqliteGroupCommit.cs.)
    held=$({ grep -oE 'held the writer [0-9]+ ms \([a-z ]+; its commit, the log written and synced, [0-9]+ ms' "$work/latency.log" || true; } \
        | awk '{ n++; if ($4 + 0 > max) { max = $4 + 0; commit = $(NF - 1) } if ($(NF - 1) + 0 >= 50) syncs++ }
               END { if (n) printf "%d times, %d of them with a commit of 50 ms or more (longest %d ms, its commit %d ms)", n, syncs, max, commit; else print "none" }')
    log "latency host: writer held 100 ms or more (warm-up included): $held"
    stop_server latency
}

if [ "$mode" = memory ]; then
    . "$root/scripts/bench-memory.sh"
    exit 0
fi
if [ "$mode" = latency ]; then
    measure_latency
    exit 0
fi

load_start=$(loadavg)
log "load average at start: $load_start; $(nproc) cores; rows of ${secs} s after ${warm} s of warm-up, concurrency $conc, bulk $bulk"

# 1. Event -> provider latency first, on a quiet machine: after the rows below, the disk is still
#    writing what they left (their stores, the PostgreSQL server's checkpoint) for a minute or more,
#    and every commit's sync waits behind it (measured: SMS p99 47 and 64 ms there, 16-21 ms alone).
measure_latency

# 2. The ceiling: an AppCallback that only acks.
ack_port=$(free_port)
dotnet "$load_dll" --serve-ack "$ack_port" & server=$!; pids+=("$server")
sleep 2
row "ceiling single" --port "$ack_port"
row "ceiling bulk" --port "$ack_port" --bulk "$bulk"
stop_server ceiling

# 3. Tracker on SQLite (a fresh file), then on a fresh PostgreSQL database.
start_tracker sqlite "ConnectionStrings__Proactive=Data Source=$work/sqlite/tracker.db"
row "Tracker SQLite single" --port "$app_port"
row "Tracker SQLite bulk" --port "$app_port" --bulk "$bulk"
stop_server sqlite

if postgres_server; then
    pg_db="bench_intake_$$_$(date +%s)"
    psql_admin "CREATE DATABASE $pg_db" >/dev/null
    start_tracker postgres Proactive__Store=Postgres "ConnectionStrings__Proactive=$(echo "$pg_admin" | sed -E "s/(^|;)Database=[^;]*/\1Database=$pg_db/I")"
    row "Tracker PostgreSQL single" --port "$app_port"
    row "Tracker PostgreSQL bulk" --port "$app_port" --bulk "$bulk"
    stop_server postgres
    # Dropped now, so the server's checkpoint does not write its pages during the next rows.
    # (Left to the cleanup when it fails here, e.g. a server before PostgreSQL 13 without FORCE.)
    if psql_admin "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1; then pg_db=""; else log "database $pg_db not dropped now"; fi
else
    log "no PostgreSQL (set PROACTIVE_TEST_POSTGRES or install it): its rows are skipped"
fi

# 4. The standalone HTTP ingest (SQLite), the same events: batches, then one per POST.
start_standalone standalone "$(free_port)" "$(free_port)"
row "Standalone HTTP batch" --http "http://127.0.0.1:$http_port/v1/events/orders" --batch "$bulk"
row "Standalone HTTP single" --http "http://127.0.0.1:$http_port/v1/events/orders"
stop_server standalone

load_end=$(loadavg)

# 5. The table.
num() { echo "${1:-0}" | tr -d ','; }
ratio() { awk -v a="$(num "$1")" -v b="$(num "$2")" 'BEGIN { if (b > 0 && a != "") printf "%.3f", a / b; else printf "-" }'; }
echo
echo "Intake, $(date -u +%Y-%m-%d\ %H:%M) UTC, $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)$(git diff --quiet 2>/dev/null || echo +changes); load average $load_start at start, $load_end at end."
echo "Each row: ${warm} s warm-up, then ${secs} s timed; concurrency $conc; bulk/batch = $bulk events per call."
echo
echo "| run | events/s | fraction of ceiling | call p50 ms | call p99 ms | server max RSS (VmHWM) |"
echo "|---|---:|---:|---:|---:|---:|"
for name in "ceiling single" "ceiling bulk" "Tracker SQLite single" "Tracker SQLite bulk" "Tracker PostgreSQL single" "Tracker PostgreSQL bulk" "Standalone HTTP batch" "Standalone HTTP single"; do
    [ -n "${result[$name]:-}" ] || continue
    case $name in *single) ceiling="ceiling single" ;; *) ceiling="ceiling bulk" ;; esac
    case $name in ceiling*) host=ceiling ;; *SQLite*) host=sqlite ;; *PostgreSQL*) host=postgres ;; *) host=standalone ;; esac
    echo "| $name | $(field "$name" events/s) | $(ratio "$(field "$name" events/s)" "$(field "$ceiling" events/s)") | $(field "$name" p50) | $(p99 "$name") | ${rss[$host]} MB |"
done
echo
echo "| event -> provider request, standalone SQLite, ${lat_rate} events/s open loop (1 in $notice_every makes a notice) | sent/s | p50 ms | p99 ms | max ms | missing | server max RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|"
sent_rate=$(echo "$latency" | sed -nE 's/.* s \(([0-9]+)\/s, sender.*/\1/p')
sms=$(echo "$latency" | sed -nE 's/.*sms p50 ([0-9.NaN]+) ms  p99 ([0-9.NaN]+) ms  max ([0-9.NaN]+) ms  missing ([0-9]+).*/\1 | \2 | \3 | \4/p')
email=$(echo "$latency" | sed -nE 's/.*email p50 ([0-9.NaN]+) ms  p99 ([0-9.NaN]+) ms  max ([0-9.NaN]+) ms  missing ([0-9]+).*/\1 | \2 | \3 | \4/p')
echo "| SMS (Twilio stand-in) | $sent_rate | $sms | ${rss[latency]} MB |"
echo "| email (SendGrid stand-in) | $sent_rate | $email | ${rss[latency]} MB |"
echo
echo "latency probe: $latency"
echo
echo "Before it, $disk. During it, SQLite's writer held 100 ms or more (warm-up included): $held."
