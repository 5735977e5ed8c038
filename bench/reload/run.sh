#!/usr/bin/env bash
# Reload under keep-alive load, nginx vs sluice, same machine, same run (issue 3's closing note).
# For each proxy: start it (WORKERS workers) in front of the demo upstream, run sluice_reload_load (CONNECTIONS
# keep-alive connections of sequential GETs), send RELOADS reload signals INTERVAL s apart with
# sluice_reload_watch (which times the worker-set change in /proc), stop it. Then print one markdown table with
# failed requests by kind and reload latency, and the ratios. See docs/reload.md for what each number means.
#
#   bench/reload/run.sh [BUILD_DIR]       BUILD_DIR defaults to $BUILD_DIR, then ./build-reload
#
# Build first: cmake -S . -B build-reload -DSLUICE_BUILD_BENCH=ON
#              cmake --build build-reload -j2 --target sluice sluice_demo_upstream sluice_reload_load sluice_reload_watch
# Knobs (environment): RELOADS=20 INTERVAL=0.75 CONNECTIONS=8 WORKERS=2 WARMUP=2 DRAIN_TIMEOUT=10
#   NGINX_ACCESS_LOG=on|off (sluice always writes its access lines, to its log file) NGINX=/usr/sbin/nginx
#   RESULTS_DIR=$BUILD_DIR/reload-results/<timestamp>
# Loopback only, bounded in time, and it only ever signals the pids it started.
set -euo pipefail

BUILD_DIR=${1:-${BUILD_DIR:-./build-reload}}
RELOADS=${RELOADS:-20}
INTERVAL=${INTERVAL:-0.75}
CONNECTIONS=${CONNECTIONS:-8}
WORKERS=${WORKERS:-2}
WARMUP=${WARMUP:-2}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-10}
NGINX_ACCESS_LOG=${NGINX_ACCESS_LOG:-on}
STOP_BOUND=20

LOAD_BIN=$BUILD_DIR/bench/reload/sluice_reload_load
WATCH_BIN=$BUILD_DIR/bench/reload/sluice_reload_watch
SLUICE_BIN=$BUILD_DIR/master/sluice
UPSTREAM_BIN=$BUILD_DIR/demo/sluice_demo_upstream
for bin in "$LOAD_BIN" "$WATCH_BIN" "$SLUICE_BIN" "$UPSTREAM_BIN"; do
  [ -x "$bin" ] || { echo "run.sh: $bin not found: build first (see the header of this script)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "run.sh: python3 is needed for the report" >&2; exit 1; }
RESULTS_DIR=${RESULTS_DIR:-$BUILD_DIR/reload-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)

# ---- bookkeeping: every pid we start is recorded, and only those are ever signalled ----
STARTED=()
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' /proc/"$1"/status 2>/dev/null; }
children_of() { cat /proc/"$1"/task/"$1"/children 2>/dev/null || true; }

# stop PID SIGNAL: signal it, wait up to STOP_BOUND s, then SIGKILL it and the children it had (still running the
# same executable, so a reused pid is never touched).
stop() {
  local pid=$1 signal=$2 kids exe waited=0 kept=() p
  for p in "${STARTED[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  STARTED=("${kept[@]}")
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
  for p in $kids; do
    waited=0
    while alive "$p" && [ "$waited" -lt 30 ]; do sleep 0.1; waited=$((waited + 1)); done
    if alive "$p" && [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$exe" ]; then
      log "child $p of $pid outlived it: SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
}
cleanup() { local pid; for pid in "${STARTED[@]}"; do stop "$pid" TERM; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

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
# wait_port PORT PID: up to 10 s for PORT to accept, while PID lives.
wait_port() {
  local tries=0
  until port_open "$1"; do
    alive "$2" || return 1
    tries=$((tries + 1)); [ "$tries" -lt 100 ] || return 1
    sleep 0.1
  done
}

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

# ---- one phase: load + RELOADS reload signals against a running master ----
# reload_phase NAME PORT MASTER_PID: writes NAME/load.json, NAME/load.txt and NAME/watch.jsonl.
reload_phase() {
  local name=$1 port=$2 master=$3 dir=$RESULTS_DIR/$1 duration load_pid i
  duration=$(python3 -c "import math; print(math.ceil(2 * $WARMUP + $RELOADS * ($INTERVAL + 0.05)) + 1)")
  "$LOAD_BIN" --port "$port" --connections "$CONNECTIONS" --duration "$duration" >"$dir/load.json" 2>"$dir/load.txt" &
  load_pid=$!
  STARTED+=("$load_pid")
  sleep "$WARMUP"
  : >"$dir/watch.jsonl"
  for i in $(seq "$RELOADS"); do
    "$WATCH_BIN" --pid "$master" --workers "$WORKERS" --timeout-ms 5000 >>"$dir/watch.jsonl" \
      || log "$name: reload $i: the new workers did not appear within 5 s"
    sleep "$INTERVAL"
  done
  log "$name: $RELOADS reloads sent; load runs to its end (${duration}s in all)"
  wait "$load_pid" || log "$name: the load generator failed (see $dir/load.txt)"
  local kept=() p
  for p in "${STARTED[@]}"; do [ "$p" = "$load_pid" ] || kept+=("$p"); done
  STARTED=("${kept[@]}")
  log "$name: $(cat "$dir/load.txt")"
}

run_nginx() {
  local dir=$RESULTS_DIR/nginx port pid access
  mkdir -p "$dir"
  port=$(free_port)
  access="access_log $dir/access.log;"
  [ "$NGINX_ACCESS_LOG" = on ] || access="access_log off;"
  cat >"$dir/nginx.conf" <<EOF
# Generated by bench/reload/run.sh: nginx as the reference, shaped like the sluice run.
worker_processes $WORKERS;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 4096; }
http {
  $access
  keepalive_requests 1000000;   # sluice has no per-connection request cap: only reloads end connections
  upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 32; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" -t >"$dir/test.log" 2>&1 \
    || { cat "$dir/test.log" >&2; return 1; }
  "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" 2>>"$dir/stderr.log" &
  pid=$!
  STARTED+=("$pid")
  wait_port "$port" "$pid" || { log "nginx did not start"; cat "$dir/error.log" >&2; return 1; }
  log "nginx master $pid on 127.0.0.1:$port (workers: $(children_of "$pid" | tr '\n' ' '))"
  reload_phase nginx "$port" "$pid"
  stop "$pid" QUIT
}

run_sluice() {
  local dir=$RESULTS_DIR/sluice port pid
  mkdir -p "$dir/apps"
  port=$(free_port)
  cat >"$dir/sluice.json" <<EOF
{"listen_address": "127.0.0.1", "listen_port": $port, "secret": "bench", "app_path": "$dir/apps",
 "sluice": {"worker_processes": $WORKERS, "drain_timeout": $DRAIN_TIMEOUT}}
EOF
  cat >"$dir/apps/upstream.json" <<EOF
{"name": "upstream", "api_id": "upstream", "org_id": "default", "use_keyless": true, "active": true,
 "version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default"}}},
 "proxy": {"listen_path": "/", "strip_listen_path": false, "target_url": "http://127.0.0.1:$UPSTREAM_PORT"}}
EOF
  "$SLUICE_BIN" -t --conf "$dir/sluice.json" >"$dir/test.log" 2>&1 || { cat "$dir/test.log" >&2; return 1; }
  # Its access lines go to the log file, as nginx's go to access.log.
  "$SLUICE_BIN" --conf "$dir/sluice.json" --port-file "$dir/port" >"$dir/sluice.log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  wait_port "$port" "$pid" || { log "sluice did not start"; cat "$dir/sluice.log" >&2; return 1; }
  log "sluice master $pid on 127.0.0.1:$port (workers: $(children_of "$pid" | tr '\n' ' '))"
  reload_phase sluice "$port" "$pid"
  stop "$pid" TERM
}

main() {
  ensure_nginx
  UPSTREAM_PORT=$(free_port)
  "$UPSTREAM_BIN" --port "$UPSTREAM_PORT" >"$RESULTS_DIR/upstream.log" 2>&1 &
  local upstream=$!
  STARTED+=("$upstream")
  wait_port "$UPSTREAM_PORT" "$upstream" || { echo "run.sh: the demo upstream did not start" >&2; return 1; }
  log "results in $RESULTS_DIR; $("$NGINX" -v 2>&1 | sed 's/.*version: //'), $("$SLUICE_BIN" --version 2>&1 | head -n 1); $(nproc) cores"
  run_nginx
  run_sluice
  stop "$upstream" TERM
  python3 "$(dirname "$0")/report.py" "$RESULTS_DIR" "$RELOADS" "$INTERVAL" "$CONNECTIONS" "$WORKERS" \
    | tee "$RESULTS_DIR/report.md"
}

main
