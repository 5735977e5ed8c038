#!/usr/bin/env bash
# The one test command: installs the dependencies, builds, runs every unit and integration test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
# Integration tests start real sluice processes; two at a time suits a 2-core machine.
ctest --output-on-failure -j 2 --timeout 180
