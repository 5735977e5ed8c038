#!/usr/bin/env bash
# Installs everything Sluice needs to build and test from Debian 12 packages. Idempotent.
set -euo pipefail

packages=(cmake g++ make pkg-config libpoco-dev libspdlog-dev libfmt-dev libgtest-dev libsystemd-dev curl procps)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}"
# A fresh machine has stale package lists: update first.
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
