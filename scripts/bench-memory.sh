# Sourced by bench-intake.sh (mode "memory"): a million open orders (BENCH_ORDERS) in Tracker's
# SQLite store, then Tracker started on it, the due-timer sweep (1,000 orders due at start) and the
# load (single then bulk, BENCH_SECONDS each) run, and its max RSS read — once per GC setting
# below, each on its own copy of the filled store.
[ -n "${work:-}" ] || { echo "run it as: scripts/bench-intake.sh memory" >&2; exit 2; }
bench_dll=$root/tests/Proactive.Benchmarks/bin/Release/net10.0/Proactive.Benchmarks.dll
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    dotnet build tests/Proactive.Benchmarks -c Release -v quiet -nologo >/dev/null
fi

load_start=$(loadavg)
log "memory: load average $load_start; migrating an empty Tracker store, then filling it with $orders open orders"
mkdir -p "$work/filled"
start_tracker migrate "ConnectionStrings__Proactive=Data Source=$work/filled/tracker.db"
stop_server migrate
dotnet "$bench_dll" fill-open-orders "$orders" "$work/filled/tracker.db" >&2

variants=("default (Server GC)|"
          "DOTNET_gcServer=0 (workstation GC)|DOTNET_gcServer=0"
          "DOTNET_GCConserveMemory=5|DOTNET_GCConserveMemory=5"
          "DOTNET_gcServer=0 + DOTNET_GCConserveMemory=5|DOTNET_gcServer=0 DOTNET_GCConserveMemory=5")
# BENCH_MEMORY_VARIANTS=N: only the first N settings (1: the default alone).
variants=("${variants[@]:0:${BENCH_MEMORY_VARIANTS:-${#variants[@]}}}")
lines=()
for v in "${variants[@]}"; do
    label=${v%%|*}; envs=${v#*|}
    rm -rf "${work:?}/run"; mkdir -p "$work/run"; cp "$work/filled/tracker.db" "$work/run/tracker.db"
    # shellcheck disable=SC2086
    start_tracker "mem" $envs "ConnectionStrings__Proactive=Data Source=$work/run/tracker.db"
    row "single" --port "$app_port"
    row "bulk" --port "$app_port" --bulk "$bulk"
    sleep 2
    rss_now=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status")
    stop_server mem
    lines+=("| $label | ${rss[mem]} MB | $rss_now MB | $(field single events/s) | $(field bulk events/s) |")
    log "$label: VmHWM ${rss[mem]} MB"
done
echo
echo "Tracker on SQLite with $(printf "%'d" "$orders") open orders, $(date -u +%Y-%m-%d\ %H:%M) UTC, $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo ?); load average $load_start at start, $(loadavg) at end."
echo "Each setting: a fresh copy of the filled store, the host started on it (its sweep takes the 1,000 due orders), then ${warm} s + ${secs} s of single and of bulk load."
echo
echo "| GC setting | max RSS (VmHWM) | RSS at the end | single events/s | bulk events/s |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${lines[@]}"
