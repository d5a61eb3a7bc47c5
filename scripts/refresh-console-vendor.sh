#!/usr/bin/env bash
# Refreshes the browser libraries the CX console serves (services/Proactive.CxConsole/Assets)
# from the versions pinned in vendor/package.json and package-lock.json. Run it after
# changing a version there; the copied files are committed, so building and running need no npm.
set -euo pipefail
cd "$(dirname "$0")/../services/Proactive.CxConsole/vendor"
npm ci --no-audit --no-fund --ignore-scripts
cp node_modules/chart.js/dist/chart.umd.min.js ../Assets/chart.umd.min.js
cp node_modules/chart.js/LICENSE.md ../Assets/chart.js.LICENSE.md
rm -rf node_modules
echo "Proactive.CxConsole/Assets refreshed: chart.js $(node -p 'require("./package-lock.json").packages["node_modules/chart.js"].version')"
