#!/usr/bin/env bash
# Times the CX console's pages with 100,000 late or at-risk orders in the store (docs/benchmarks.md).
# Usage: scripts/console-bench.sh sqlite|postgres [orders]   (postgres: PROACTIVE_TEST_POSTGRES set)
# Runs the built standalone host's demo (Release) once on a fresh store: its four orders go through
# the real write path (events, episodes, notices and attempts, a delivery receipt, a survey reply,
# its voice item, an incident of three orders). Then clones those rows orders/4 times in SQL (ids and
# customers renamed per clone, times shifted back 0-13 days; every clone's Royal Mail orders join the
# demo's one incident), and seeds tracker_watch and tracker_episodes with `orders` more list rows
# (the "Now" page's rows). Restarts the host, signs in and requests each page 30 times, printing the
# median and p95 of curl's time to first byte on loopback (server time plus a loopback round trip).
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
trap 'stop; [ -n "${PROACTIVE_BENCH_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"; if [ "$kind" = postgres ]; then psql "postgresql://postgres@127.0.0.1:${PGPORT:-55432}/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null; fi' EXIT
start() {
    dotnet "$dll" "${args[@]}" >"$work/host.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.2; done
    cat "$work/host.log"; exit 1
}
demo() {
    dotnet "$dll" --demo "${args[@]}" >"$work/demo.log" 2>&1 &
    pid=$!
    for _ in $(seq 900); do grep -q "Proactive keeps running" "$work/demo.log" && return 0; kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    cat "$work/demo.log"; exit 1
}
# sql 'QUERY' prints its rows (columns split by |); sql_file FILE runs a script.
sql() { if [ "$kind" = postgres ]; then psql "postgresql://postgres@127.0.0.1:${PGPORT:-55432}/$db" -v ON_ERROR_STOP=1 -qAt -F'|' -c "$1"; else sqlite3 -bail -separator '|' "$work/console.db" "$1"; fi; }
sql_file() { if [ "$kind" = postgres ]; then psql "postgresql://postgres@127.0.0.1:${PGPORT:-55432}/$db" -v ON_ERROR_STOP=1 -q -f "$1" >/dev/null; else sqlite3 -bail "$work/console.db" <"$1"; fi; }
demo; stop

# The demo's orders cloned: every text column renamed per clone (DEMO-… -> B<i>-…; an id without the
# order in it gets a -b<i> suffix, consistently, so notices, attempts, receipts and replies still join),
# every *_at / since / promised_by shifted back (i % 14) days. Timers, outbox, signals and queues are
# not cloned (the host would work them off while being timed).
clones=$((orders / 4))
if [ "$kind" = postgres ]; then
    sql "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position" >"$work/columns.txt"
else
    sql "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid" >"$work/columns.txt"
fi
incident=$(sql "SELECT incident_id FROM notifier_incidents")
python3 - "$clones" "$work/columns.txt" >"$work/clone.sql" <<'PY'
import sys
clones = int(sys.argv[1])
tables = ["tracker_events", "tracker_orders", "tracker_episodes", "tracker_watch", "tracker_predictions", "notifier_orders",
          "notifier_notices", "notifier_attempts", "notifier_receipts", "notifier_replies", "notifier_surveys", "notifier_voice",
          "notifier_incident_orders"]
cols = {}
for line in open(sys.argv[2]).read().splitlines():
    t, c, ty = line.split("|")
    cols.setdefault(t, []).append((c, ty.lower()))
print("BEGIN;")
for t in tables:
    exprs = []
    for c, ty in cols[t]:
        renamed = f"replace({c}, 'DEMO-', 'B' || n.i || '-')"
        if t == "notifier_incident_orders" and c == "incident_id":
            exprs.append(c)
        elif "text" in ty or "char" in ty:
            if c.endswith("_id") or c == "event_key":
                exprs.append(f"CASE WHEN {renamed} <> {c} THEN {renamed} ELSE {c} || '-b' || n.i END")
            else:
                exprs.append(renamed)
        elif c.endswith("_at") or c in ("since", "promised_by"):
            exprs.append(f"{c} - (n.i % 14) * 86400000")
        else:
            exprs.append(c)
    key = "notice_id" if t in ("notifier_attempts", "notifier_receipts") else "order_id"
    names = ", ".join(c for c, _ in cols[t])
    print(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {clones}) "
          f"INSERT INTO {t} ({names}) SELECT {', '.join(exprs)} FROM {t} AS s, n WHERE s.{key} LIKE 'DEMO-%';")
print("UPDATE notifier_incidents SET order_count = (SELECT COUNT(DISTINCT order_id) FROM notifier_incident_orders o WHERE o.incident_id = notifier_incidents.incident_id);")
print("COMMIT;")
PY
sql_file "$work/clone.sql"

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
echo "  stored: $(sql "SELECT (SELECT COUNT(*) FROM tracker_orders) || ' orders with events, ' || (SELECT COUNT(*) FROM tracker_events) || ' events, ' || (SELECT COUNT(*) FROM notifier_notices) || ' notices, ' || (SELECT COUNT(*) FROM notifier_replies) || ' replies, ' || (SELECT COUNT(*) FROM notifier_voice) || ' voice items, ' || (SELECT COUNT(*) FROM tracker_watch) || ' on the list, incident of ' || (SELECT MAX(order_count) FROM notifier_incidents) || ' orders'" 2>/dev/null || true)"
order="B$((clones / 2))-KR-1001"
for page in "/console/order?id=$order" "/console/order?id=B$((clones / 3))-EN-2001" "/console/incidents" "/console/incidents?id=$incident" "/console/voice" \
            "/console/backtest" "/console" "/console?Carrier=DHL" "/console?Reason=STALLED&Region=R07" "/console?PromisedFrom=$promised&PromisedTo=$promised" \
            "/console?State=at_risk&Carrier=UPS&Region=R03" "/console?$after"; do
    for _ in $(seq 3); do curl -s -o /dev/null -b "$jar" "http://127.0.0.1:$port$page"; done
    times=$(for _ in $(seq 30); do curl -s -o /dev/null -b "$jar" -w '%{time_starttransfer}\n' "http://127.0.0.1:$port$page"; done | sort -n)
    status=$(curl -s -o /dev/null -b "$jar" -w '%{http_code}' "http://127.0.0.1:$port$page")
    printf '  %-60s %s  %6.1f / %6.1f\n' "$page" "$status" "$(echo "$times" | sed -n 15p | awk '{print $1*1000}')" "$(echo "$times" | sed -n 29p | awk '{print $1*1000}')"
done
