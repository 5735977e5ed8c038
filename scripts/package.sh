#!/usr/bin/env bash
# The one packaging command: installs what packaging needs, builds (reusing ./build or $BUILD_DIR), and makes the
# Debian package with CPack. Prints the package's path, e.g. build/sluice_0.1.0_amd64.deb.
set -euo pipefail
cd "$(dirname "$0")/.."
# dpkg-shlibdeps (dpkg-dev) derives Depends from the linked libraries; CPack finds the binaries with file(1).
bash scripts/install-deps.sh dpkg-dev file
bash scripts/build.sh >/dev/null
cd "${BUILD_DIR:-build}"
rm -f sluice_*.deb
if ! cpack -G DEB >cpack.log 2>&1; then
  cat cpack.log >&2
  exit 1
fi
ls "$PWD"/sluice_*.deb
