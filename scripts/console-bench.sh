#!/usr/bin/env bash
# Times the CX console's pages with 100,000 late or at-risk orders in the store (docs/benchmarks.md).
# Usage: scripts/console-bench.sh sqlite|postgres [orders]   (postgres: PROACTIVE_TEST_POSTGRES set)
# Starts the built standalone host (Release) once to create the schema, seeds tracker_watch and
# tracker_episodes directly (the rows the "Now" page reads; the write path that keeps them is
# tested elsewhere), restarts it, signs in and requests each page 30 times, printing the median and
# p95 of curl's time to first byte on loopback (server time plus a loopback round trip).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-sqlite}
orders=${2:-100000}
work=$(mktemp -d /tmp/proactive-console-bench.XXXXXX)
dll=services/Proactive.Standalone/bin/Release/net10.0/Proactive.Standalone.dll
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
grpc=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="pak_console-bench-$(date +%s%N)"
hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
args=(--urls=http://127.0.0.1:$port --Proactive:GrpcUrl=http://127.0.0.1:$grpc --Logging:LogLevel:Default=Warning
      --Proactive:Auth:ApiKeys:bench:Hash=$hash "--Proactive:Auth:ApiKeys:bench:Scopes=orders:read notices:read voice:read"
      --Proactive:Dispatch:OutboxPath=$work/outbox.jsonl)
if [ "$kind" = postgres ]; then
    db="console_bench_$$"
    psql "postgresql://postgres@127.0.0.1:${PGPORT:-55432}/postgres" -qc "CREATE DATABASE $db" >/dev/null
    args+=(--Proactive:Store=Postgres "--ConnectionStrings:Proactive=${PROACTIVE_TEST_POSTGRES/Database=postgres/Database=$db}")
else
    args+=("--ConnectionStrings:Proactive=Data Source=$work/console.db")
fi

pid=
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop; rm -rf "$work"; if [ "$kind" = postgres ]; then psql "postgresql://postgres@127.0.0.1:${PGPORT:-55432}/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; fi' EXIT
start() {
    dotnet "$dll" "${args[@]}" >"$work/host.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.2; done
    cat "$work/host.log"; exit 1
}
start; stop

# The seed: orders late (70%) or at risk, 8 carriers, 20 regions, promises within +-10 days, opened in the last 14 days.
python3 - "$orders" >"$work/seed.sql" <<'PY'
import random, sys, time
random.seed(17)
n = int(sys.argv[1]); now = int(time.time() * 1000); day = 86_400_000
reasons = ["ETA_SLIP", "CARRIER_EXCEPTION", "DELIVERY_ATTEMPTED", "NOT_SHIPPED", "MISSED_PROMISE", "STALLED", "PROMISE_AT_RISK"]
carriers = ["CJ Logistics", "Hanjin", "Lotte", "Royal Mail", "DPD", "Evri", "UPS", "DHL"]
print("BEGIN;")
for i in range(n):
    late = random.random() < 0.7
    since = now - random.randint(0, 14 * day)
    state, reason = ("late", random.choice(reasons)) if late else ("at_risk", "PREDICTED_LATE")
    print(f"INSERT INTO tracker_watch VALUES ('B-{i:07d}','{state}','{reason}','{random.choice(carriers)}','R{random.randint(1, 20):02d}',"
          f"{now + random.randint(-10 * day, 10 * day)},{now + random.randint(0, 10 * day)},{random.random():.3f},{since});")
    if late:
        print(f"INSERT INTO tracker_episodes (episode_id, order_id, number, reason, opened_at) VALUES ('B-{i:07d}/delay-1','B-{i:07d}',1,'{reason}',{since});")
print("COMMIT;")
PY
if [ "$kind" = postgres ]; then
    psql "${PROACTIVE_TEST_POSTGRES/Database=postgres/dbname=$db}" -q -f "$work/seed.sql" >/dev/null 2>&1 || psql "postgresql://postgres@127.0.0.1:${PGPORT:-55432}/$db" -q -f "$work/seed.sql" >/dev/null
    psql "postgresql://postgres@127.0.0.1:${PGPORT:-55432}/$db" -qc "ANALYZE" >/dev/null
else
    sqlite3 "$work/console.db" <"$work/seed.sql"
    sqlite3 "$work/console.db" "ANALYZE;"
fi
start

jar="$work/cookies"
token=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/console/sign-in" | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | sed 's/.*value="//; s/"$//')
curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "Key=$key" --data-urlencode "__RequestVerificationToken=$token" "http://127.0.0.1:$port/console/sign-in"
after=$(curl -s -b "$jar" "http://127.0.0.1:$port/console" | grep -o 'After=[^"&]*' | head -1 | sed 's/&amp;.*//')
promised=$(date -u +%Y-%m-%d)
echo "$kind, $orders orders on the list: median / p95 of 30 requests (ms, time to first byte)"
for page in "/console" "/console?Carrier=DHL" "/console?Reason=STALLED&Region=R07" "/console?PromisedFrom=$promised&PromisedTo=$promised" \
            "/console?State=at_risk&Carrier=UPS&Region=R03" "/console?$after" "/console/incidents" "/console/voice"; do
    for _ in $(seq 3); do curl -s -o /dev/null -b "$jar" "http://127.0.0.1:$port$page"; done
    times=$(for _ in $(seq 30); do curl -s -o /dev/null -b "$jar" -w '%{time_starttransfer}\n' "http://127.0.0.1:$port$page"; done | sort -n)
    status=$(curl -s -o /dev/null -b "$jar" -w '%{http_code}' "http://127.0.0.1:$port$page")
    printf '  %-60s %s  %6.1f / %6.1f\n' "$page" "$status" "$(echo "$times" | sed -n 15p | awk '{print $1*1000}')" "$(echo "$times" | sed -n 29p | awk '{print $1*1000}')"
done
