#!/usr/bin/env bash
# The one run command: installs, builds, starts the demo SSE upstream on 127.0.0.1:8000 and Sluice on
# port 8080 with config/sluice.json. Then, in another terminal:  curl -N localhost:8080/sse/events/
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
BUILD_DIR=${BUILD_DIR:-build}

"$BUILD_DIR/demo/sluice_demo_upstream" --port 8000 &
upstream=$!
trap 'kill "$upstream" 2>/dev/null; wait "$upstream" 2>/dev/null || true' EXIT
echo "starting sluice on http://localhost:8080 — try: curl -N http://localhost:8080/sse/events/"
"$BUILD_DIR/master/sluice" --conf config/sluice.json
