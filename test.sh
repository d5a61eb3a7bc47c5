#!/usr/bin/env bash
# Runs every Proactive test, as CI does (.ci/run calls exactly this).
# Needs only the .NET 10 SDK; packages come from NuGet. Checks formatting, builds with warnings
# as errors, runs every test project, and ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet restore Proactive.sln
dotnet build Proactive.sln --no-restore -c Release
dotnet format Proactive.sln --verify-no-changes --no-restore
set +e
dotnet test --solution Proactive.sln --no-build -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
echo "${passed} passed, ${failed} failed"
exit "$status"
