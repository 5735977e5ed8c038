# shellcheck shell=bash
# Shell helpers shared by bench/run.sh, bench/plain/run.sh and bench/reload/run.sh: process bookkeeping,
# ports, nginx, wrk, sluice, CPU counters and the comparison tables.
# Source it (bash, `set -euo pipefail`) once the script's knobs are set. It expects from the caller:
#   STOP_BOUND  seconds stop_tree waits after the first signal before SIGKILL
#   NICE        niceness start_nginx and start_sluice run the proxies with (0: the default priority)
#   SLUICE_BIN  the sluice binary (start_sluice only)
# Sourcing it empties STARTED and installs the EXIT trap that stops every pid still recorded there.

# ---- process bookkeeping: every pid we start is recorded and is the only thing we ever signal ----
STARTED=()
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

children_of() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null; }

# stop_tree PID SIGNAL: signal the process, wait up to STOP_BOUND s, then SIGKILL it and the children
# it had (a master's workers must never outlive the run). Children are only killed while they still run
# the same executable, so a pid the kernel reused is never touched.
stop_tree() {
  local pid=$1 signal=$2 kids exe waited=0
  forget "$pid"
  alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kids=$(children_of "$pid")
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  kill -s "$signal" "$pid" 2>/dev/null || true
  while alive "$pid" && [ "$waited" -lt $((STOP_BOUND * 10)) ]; do sleep 0.1; waited=$((waited + 1)); done
  if alive "$pid"; then
    log "pid $pid still alive ${STOP_BOUND}s after SIG$signal: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for kid in $kids; do
    waited=0
    while alive "$kid" && [ "$waited" -lt 30 ]; do sleep 0.1; waited=$((waited + 1)); done
    if alive "$kid" && [ "$(readlink "/proc/$kid/exe" 2>/dev/null)" = "$exe" ]; then
      log "child $kid of $pid outlived it: SIGKILL"
      kill -KILL "$kid" 2>/dev/null || true
    fi
  done
}

# forget PID: drops PID from STARTED (it has ended, or is being stopped).
forget() {
  local kept=() p
  for p in "${STARTED[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  STARTED=("${kept[@]}")
}

cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do stop_tree "$pid" TERM; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_until TIMEOUT_S PID COMMAND...: polls COMMAND every 0.1 s; fails if PID dies or time runs out.
wait_until() {
  local limit=$(($1 * 10)) pid=$2 tries=0
  shift 2
  until "$@"; do
    alive "$pid" || return 1
    tries=$((tries + 1))
    [ "$tries" -lt "$limit" ] || return 1
    sleep 0.1
  done
}

# ---- ports, all on 127.0.0.1 ----
port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# A port nobody listens on, below the ephemeral range (32768-60999) so no outgoing connection holds it.
free_port() {
  local port tries
  for tries in $(seq 50); do
    port=$((20000 + RANDOM % 12000))
    port_open "$port" || { echo "$port"; return 0; }
  done
  echo "run.sh: no free port found" >&2
  return 1
}

# ---- tools from Debian packages, installed on demand ----
# apt_install PACKAGE: apt-get install, with sudo unless root.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing $1 (apt-get)"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$1" >/dev/null
}

ensure_wrk() {
  WRK=${WRK:-$(command -v wrk || echo /usr/bin/wrk)}
  [ -x "$WRK" ] && return 0
  apt_install wrk
  WRK=$(command -v wrk || echo /usr/bin/wrk)
  [ -x "$WRK" ] || { echo "run.sh: could not install wrk" >&2; return 1; }
}

# ---- nginx, the reference proxy ----
ensure_nginx() {
  NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
  [ -x "$NGINX" ] && return 0
  apt_install nginx-light
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$NGINX" ] || { echo "run.sh: could not install nginx" >&2; return 1; }
}

# start_nginx PREFIX PORT: checks PREFIX/nginx.conf (nginx -t), starts nginx on it in the background and
# waits up to 10 s for PORT to accept. Sets NGINX_PID (recorded in STARTED). On failure it shows the logs,
# SIGKILLs what it started and returns 1.
start_nginx() {
  local prefix=$1 port=$2
  "$NGINX" -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" -t >"$prefix/test.log" 2>&1 \
    || { cat "$prefix/test.log" >&2; return 1; }
  nice -n "$NICE" "$NGINX" -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" 2>>"$prefix/stderr.log" &
  NGINX_PID=$!
  STARTED+=("$NGINX_PID")
  if ! wait_until 10 "$NGINX_PID" port_open "$port"; then
    log "nginx did not start"; cat "$prefix/error.log" "$prefix/stderr.log" >&2; stop_tree "$NGINX_PID" KILL; return 1
  fi
}

# ---- sluice ----
# write_sluice_api DIR NAME LISTEN_PATH STRIP TARGET_PORT: one keyless Tyk API definition in DIR/apps.
write_sluice_api() {
  mkdir -p "$1/apps"
  cat >"$1/apps/$2.json" <<EOF
{"name": "$2", "api_id": "$2", "org_id": "default", "use_keyless": true, "active": true,
 "version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default"}}},
 "proxy": {"listen_path": "$3", "strip_listen_path": $4, "target_url": "http://127.0.0.1:$5"}}
EOF
}

# start_sluice DIR: checks DIR/sluice.json (sluice -t), starts sluice on it in the background (stderr to
# DIR/sluice.log) and waits up to 20 s for the port it bound, which it writes to DIR/port. Sets SLUICE_PID
# (recorded in STARTED) and SLUICE_PORT. On failure it shows the log, SIGKILLs what it started and returns 1.
start_sluice() {
  local dir=$1
  [ -x "${SLUICE_BIN:?}" ] || { log "sluice: $SLUICE_BIN not built"; return 1; }
  "$SLUICE_BIN" -t --conf "$dir/sluice.json" >"$dir/test.log" 2>&1 || { cat "$dir/test.log" >&2; return 1; }
  rm -f "$dir/port" # a stale file from an earlier run into the same directory would look ready
  nice -n "$NICE" "$SLUICE_BIN" --conf "$dir/sluice.json" --port-file "$dir/port" 2>"$dir/sluice.log" &
  SLUICE_PID=$!
  STARTED+=("$SLUICE_PID")
  if ! wait_until 20 "$SLUICE_PID" test -s "$dir/port"; then
    log "sluice did not become ready"; tail -n 20 "$dir/sluice.log" >&2; stop_tree "$SLUICE_PID" KILL; return 1
  fi
  # shellcheck disable=SC2034 # for the caller
  SLUICE_PORT=$(cat "$dir/port")
}

# stop_sluice PID DIR: stops a sluice started by start_sluice and reports [critical] lines in DIR/sluice.log.
stop_sluice() {
  local critical
  stop_tree "$1" TERM
  critical=$(grep -c '\[critical\]' "$2/sluice.log" || true)
  [ "$critical" -eq 0 ] || log "sluice logged $critical [critical] lines: see $2/sluice.log"
}

# ---- CPU counters from /proc, in clock ticks ----
# shellcheck disable=SC2034 # for the callers
CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID...: utime + stime of each PID and of its children (a master's workers), summed. The fields
# are counted after the last ')' because a command name may contain spaces.
cpu_ticks() {
  local pid p total=0 ticks
  for pid in "$@"; do
    for p in $pid $(children_of "$pid"); do
      ticks=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || true)
      total=$((total + ${ticks:-0}))
    done
  done
  echo "$total"
}

# child_ticks PID: "pid ticks" for each child of PID (a master's workers), one per line.
child_ticks() {
  local p
  for p in $(children_of "$1"); do echo "$p $(cpu_ticks "$p")"; done
}

# machine_busy_ticks: busy time of all cores (user nice system irq softirq steal), from /proc/stat.
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# ---- results: one flat JSON object per run, and the comparison tables ----
# json_field FILE KEY: the value of "KEY" in a one-line JSON object (strings keep their quotes).
json_field() { sed -n 's/.*"'"$2"'":\([^,}]*\).*/\1/p' "$1" | head -n 1; }

# median_cell KEY FILE...: the median of KEY over the files that exist, plus "(min–max)" when several
# differ; "–" if no file has it.
median_cell() {
  local key=$1 file
  shift
  for file in "$@"; do if [ -s "$file" ]; then json_field "$file" "$key"; fi; done | sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "–"; exit }
      median = (NR % 2) ? v[(NR + 1) / 2] : sprintf("%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2)
      if (!(NR % 2)) { sub(/0+$/, "", median); sub(/\.$/, "", median) }
      if (NR > 1 && v[1] != v[NR]) printf "%s (%s–%s)\n", median, v[1], v[NR]; else print median
    }'
}

# table_row LABEL NGINX_CELL SLUICE_CELL [noratio]: one markdown row; the ratio is sluice / nginx of the medians.
table_row() {
  awk -v label="$1" -v n="$2" -v s="$3" -v with_ratio="${4:-ratio}" 'BEGIN {
    split(n, nv, " "); split(s, sv, " ")
    ratio = (with_ratio == "ratio" && nv[1] != "–" && sv[1] != "–" && nv[1] + 0 != 0) ? sprintf("%.2f", sv[1] / nv[1]) : "–"
    printf "| %s | %s | %s | %s |\n", label, n, s, ratio }'
}
