#!/usr/bin/env bash
# CI's package step, after scripts/test.sh: builds the package with scripts/package.sh and checks its file list (the
# same as `cmake --install`'s), its Depends (exactly what dpkg-shlibdeps derives), its conffiles (every file in
# /etc); then installs it, checks the installed unit with `systemd-analyze verify` and `systemd-analyze security`
# (exposure at most 2.0), runs the installed binary on the example config, and purges the package again.
# Installing needs root or sudo; it refuses to run where a sluice package is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
MAX_EXPOSURE=2.0

fail() {
  echo "package-check: FAIL: $*" >&2
  exit 1
}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if dpkg-query -W -f='${Status}' sluice 2>/dev/null | grep -q "installed"; then
  fail "a sluice package is installed on this machine; this check installs and purges its own"
fi
bash scripts/install-deps.sh dpkg-dev file systemd
deb=$(bash scripts/package.sh | tail -1)
echo "package: $deb"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# File list: the binary, the unit, the example config, the logrotate snippet and the docs; nothing else (no tests,
# benchmarks or demo programs), and exactly what `cmake --install --prefix /usr` installs.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' | grep -v '/$' | sort >"$work/deb-files"
echo "files:"
sed 's/^/  /' "$work/deb-files"
for f in /usr/bin/sluice /lib/systemd/system/sluice.service /etc/sluice/sluice.json /etc/sluice/apps/sse.json \
  /etc/logrotate.d/sluice /usr/share/doc/sluice/README.md /usr/share/doc/sluice/docs/service.md; do
  grep -qx "$f" "$work/deb-files" || fail "the package lacks $f"
done
unexpected=$(grep -v -E '^/(usr/bin/sluice|lib/systemd/system/sluice\.service|etc/sluice/(apps/)?[^/]+\.json|etc/logrotate\.d/sluice|usr/share/doc/sluice/(docs/)?[^/]+\.md)$' \
  "$work/deb-files" || true)
[ -z "$unexpected" ] || fail "unexpected files in the package: $unexpected"
DESTDIR="$work/cmake-install" cmake --install "$BUILD_DIR" --prefix /usr >/dev/null
(cd "$work/cmake-install" && find . ! -type d | sed 's#^\.##' | sort) >"$work/install-files"
diff -u "$work/install-files" "$work/deb-files" || fail "cmake --install and the package install different files"

# Depends: derived by dpkg-shlibdeps from the binary, so it must equal what dpkg-shlibdeps says for it now.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
mkdir -p "$work/shlibs/debian" "$work/shlibs/bin"
touch "$work/shlibs/debian/control"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/sluice >"$work/shlibs/bin/sluice"
derived=$(cd "$work/shlibs" && dpkg-shlibdeps -O bin/sluice 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ "$depends" = "$derived" ] || fail "Depends is not dpkg-shlibdeps' list: '$derived'"
for lib in libc6 libstdc++6 libpoconet libpocofoundation libpocojson libspdlog libfmt libsystemd0; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done

# Conffiles: every file the package puts in /etc, so that an upgrade never overwrites an edited one.
dpkg-deb -e "$deb" "$work/control"
sort "$work/control/conffiles" >"$work/conffiles"
echo "conffiles:"
sed 's/^/  /' "$work/conffiles"
grep '^/etc/' "$work/deb-files" | diff -u - "$work/conffiles" || fail "conffiles is not the list of files in /etc"

# Install it (apt resolves Depends), then check the installed unit and binary; purge whatever happens.
trap '$SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq sluice >/dev/null; rm -rf "$work"' EXIT
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
unit=/lib/systemd/system/sluice.service
systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
security=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1) || true
exposure=$(sed -n 's/.*Overall exposure level for sluice.service: \([0-9.]*\).*/\1/p' <<<"$security")
[ -n "$exposure" ] || fail "no exposure level in: $security"
echo "exposure: $exposure (at most $MAX_EXPOSURE)"
awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }' || {
  echo "$security"
  fail "exposure $exposure is above $MAX_EXPOSURE"
}

# The installed binary serves the example config (on an ephemeral port; the unit's secret file from postinst).
$SUDO test -s /etc/sluice/secret.env || fail "postinst did not create /etc/sluice/secret.env"
secret=$($SUDO sed -n 's/^TYK_SECRET_SLUICE=//p' /etc/sluice/secret.env)
TYK_SECRET_SLUICE=$secret /usr/bin/sluice -t --conf /etc/sluice/sluice.json
TYK_SECRET_SLUICE=$secret TYK_GW_LISTENPORT=0 /usr/bin/sluice --conf /etc/sluice/sluice.json \
  --port-file "$work/port" 2>"$work/sluice.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/sluice.log"; fail "the installed sluice did not start"; }
hello=$(curl -sf "http://127.0.0.1:$(cat "$work/port")/hello") || fail "/hello did not answer"
kill -TERM "$pid"
wait "$pid" || fail "the installed sluice did not stop cleanly"
echo "installed sluice answered /hello: $hello"
echo "package-check: OK"
