#!/usr/bin/env bash
# Regenerates the replay report the demo's console shows on its Backtest page
# (services/Proactive.Standalone/Demo/replay-reports/synthetic-3000/report.json): a synthetic history of
# 3,000 orders (seed 17) run through the real replay command. Run it after changing what report.json holds.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/proactive-demo-replay.XXXXXX)
trap 'rm -rf "$work"' EXIT
dotnet build Proactive.sln -c Release -v q >/dev/null
dotnet run -c Release --no-build --project tests/Proactive.Benchmarks -- synth 3000 "$work/history.jsonl.gz" 17
dotnet services/Proactive.Standalone/bin/Release/net10.0/Proactive.Standalone.dll replay "$work/history.jsonl.gz" --out "$work/out" 2>/dev/null
cp "$work/out/report.json" services/Proactive.Standalone/Demo/replay-reports/synthetic-3000/report.json
echo "wrote services/Proactive.Standalone/Demo/replay-reports/synthetic-3000/report.json"
