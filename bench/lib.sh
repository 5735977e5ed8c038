# shellcheck shell=bash
# Shell helpers shared by bench/run.sh and bench/reload/run.sh: process bookkeeping, ports, nginx.
# Source it (bash, `set -euo pipefail`) once the script's knobs are set. It expects from the caller:
#   STOP_BOUND  seconds stop_tree waits after the first signal before SIGKILL
#   NICE        niceness start_nginx runs nginx with (0: the default priority)
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

# ---- nginx, the reference proxy ----
ensure_nginx() {
  NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
  [ -x "$NGINX" ] && return 0
  log "nginx not found: installing nginx-light"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null
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
