#!/usr/bin/env bash
# Sluice vs nginx, side by side in the same run, on loopback. For each stream count it starts the SSE
# emitter, then nginx, measures, stops nginx, then sluice, measures, stops sluice, and prints one markdown
# table per stream count (nginx | sluice | sluice/nginx). Builds nothing. See docs/benchmarks.md.
#
#   bench/run.sh [BUILD_DIR]            BUILD_DIR defaults to $BUILD_DIR, then ./build
#
# Knobs (environment): STREAMS="1 1000 10000" DURATION=30 (hold, s) INTERVAL_MS=1000 EVENT_BYTES=128
#   EMIT_MODE=stagger|burst RAMP=500 WORKERS=2 PROXIES="nginx sluice" NGINX_ACCESS_LOG=on|off
#   REPEAT=1 (rounds per stream count; the order of the proxies alternates, tables show medians)
#   NICE=0 (e.g. -10 as root: emitter, proxies and client outrank other work on a shared machine)
#   NGINX=/usr/sbin/nginx RESULTS_DIR=$BUILD_DIR/bench-results/<timestamp>
# Everything is bounded in time, listens on 127.0.0.1 only, and stops only the processes it started.
set -euo pipefail

BUILD_DIR=${1:-${BUILD_DIR:-./build}}
STREAMS=${STREAMS:-1 1000 10000}
DURATION=${DURATION:-30}
INTERVAL_MS=${INTERVAL_MS:-1000}
EVENT_BYTES=${EVENT_BYTES:-128}
EMIT_MODE=${EMIT_MODE:-stagger}
RAMP=${RAMP:-500}
WORKERS=${WORKERS:-2}
PROXIES=${PROXIES:-nginx sluice}
NGINX_ACCESS_LOG=${NGINX_ACCESS_LOG:-on}
REPEAT=${REPEAT:-1}
NICE=${NICE:-0}
RAMP_TIMEOUT=120
STOP_BOUND=20

EMITTER_BIN=$BUILD_DIR/bench/sluice_bench_upstream
CLIENT_BIN=$BUILD_DIR/bench/sluice_bench_client
SLUICE_BIN=$BUILD_DIR/master/sluice
for bin in "$EMITTER_BIN" "$CLIENT_BIN"; do
  [ -x "$bin" ] || { echo "run.sh: $bin not found: build first (cmake --build $BUILD_DIR --target sluice_bench_upstream sluice_bench_client sluice)" >&2; exit 1; }
done
RESULTS_DIR=${RESULTS_DIR:-$BUILD_DIR/bench-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$RESULTS_DIR"
RESULTS_DIR=$(cd "$RESULTS_DIR" && pwd)
TABLES=$RESULTS_DIR/tables.md

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

json_field() { sed -n 's/.*"'"$2"'":\([^,}]*\).*/\1/p' "$1" | head -n 1; }

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

# ---- the three programs ----
start_emitter() {
  local dir=$1
  rm -f "$dir/emitter.port" # a stale file from an earlier run into the same RESULTS_DIR would look ready
  nice -n "$NICE" "$EMITTER_BIN" --port-file "$dir/emitter.port" --interval-ms "$INTERVAL_MS" --event-bytes "$EVENT_BYTES" \
    --mode "$EMIT_MODE" --lifetime-s 3600 2>"$dir/emitter.log" &
  EMITTER_PID=$!
  STARTED+=("$EMITTER_PID")
  wait_until 10 "$EMITTER_PID" test -s "$dir/emitter.port" || { cat "$dir/emitter.log" >&2; return 1; }
  EMITTER_PORT=$(cat "$dir/emitter.port")
}

# run_client NAME STREAMS PROXY_PID PORT: one measurement; the JSON lands in $RUN_DIR/NAME.json.
run_client() {
  local name=$1 count=$2 proxy_pid=$3 port=$4
  timeout $((RAMP_TIMEOUT + DURATION + 60)) nice -n "$NICE" "$CLIENT_BIN" --target "127.0.0.1:$port" --path /sse/events \
    --streams "$count" --duration "$DURATION" --ramp "$RAMP" --interval-ms "$INTERVAL_MS" \
    --ramp-timeout "$RAMP_TIMEOUT" --rss-pids "$proxy_pid" --emitter-pid "$EMITTER_PID" \
    >"$RUN_DIR/$name.json" 2>"$RUN_DIR/$name.client.log" || log "$name: client exited with status $?"
  cat "$RUN_DIR/$name.client.log" >&2
}

write_nginx_conf() {
  local prefix=$1 port=$2 access_log="access_log off;"
  [ "$NGINX_ACCESS_LOG" = on ] && access_log="access_log $prefix/access.log;"
  local user=""
  [ "$(id -u)" -eq 0 ] && user="user nobody nogroup;"
  cat >"$prefix/nginx.conf" <<EOF
# Generated by bench/run.sh: nginx as the reference SSE proxy, shaped like the sluice run.
$user
daemon off;
master_process on;
worker_processes $WORKERS;
worker_rlimit_nofile 20000;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events { worker_connections 12000; }
http {
  $access_log
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location /sse/ {
      proxy_pass http://127.0.0.1:$EMITTER_PORT/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
EOF
}

run_nginx() {
  local count=$1 name=nginx.r$2 prefix=$RUN_DIR/nginx.r$2 port pid
  mkdir -p "$prefix/tmp"
  chmod 755 "$RESULTS_DIR" "$RUN_DIR" "$prefix"
  port=$(free_port)
  write_nginx_conf "$prefix" "$port"
  "$NGINX" -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" -t >"$prefix/test.log" 2>&1 \
    || { cat "$prefix/test.log" >&2; return 1; }
  nice -n "$NICE" "$NGINX" -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" 2>>"$prefix/stderr.log" &
  pid=$!
  STARTED+=("$pid")
  if ! wait_until 10 "$pid" port_open "$port"; then
    log "nginx did not start"; cat "$prefix/error.log" "$prefix/stderr.log" >&2; stop_tree "$pid" KILL; return 1
  fi
  log "nginx pid $pid on 127.0.0.1:$port (workers: $(children_of "$pid" | tr '\n' ' '))"
  run_client "$name" "$count" "$pid" "$port"
  stop_tree "$pid" QUIT
}

write_sluice_conf() {
  local dir=$1
  mkdir -p "$dir/apps"
  cat >"$dir/sluice.json" <<EOF
{"listen_address": "127.0.0.1", "listen_port": 0, "secret": "bench", "app_path": "$dir/apps",
 "http_server_options": {"enable_websockets": true, "read_timeout": 120, "write_timeout": 120, "flush_interval": 1},
 "proxy_default_timeout": 30,
 "sluice": {"worker_processes": $WORKERS, "drain_timeout": 5, "stream_idle_timeout": 600, "heartbeat_interval": 0}}
EOF
  cat >"$dir/apps/sse.json" <<EOF
{"name": "sse", "api_id": "sse", "org_id": "default", "use_keyless": true, "active": true,
 "version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default"}}},
 "proxy": {"listen_path": "/sse/", "strip_listen_path": true, "target_url": "http://127.0.0.1:$EMITTER_PORT"}}
EOF
}

run_sluice() {
  local count=$1 name=sluice.r$2 dir=$RUN_DIR/sluice.r$2 pid port
  [ -x "$SLUICE_BIN" ] || { log "sluice: $SLUICE_BIN not built: skipped"; return 1; }
  write_sluice_conf "$dir"
  rm -f "$dir/port"
  nice -n "$NICE" "$SLUICE_BIN" --conf "$dir/sluice.json" --port-file "$dir/port" 2>"$dir/sluice.log" &
  pid=$!
  STARTED+=("$pid")
  if ! wait_until 20 "$pid" test -s "$dir/port"; then
    log "sluice did not become ready"; tail -n 20 "$dir/sluice.log" >&2; stop_tree "$pid" KILL; return 1
  fi
  port=$(cat "$dir/port")
  log "sluice pid $pid on 127.0.0.1:$port (workers: $(children_of "$pid" | tr '\n' ' '))"
  run_client "$name" "$count" "$pid" "$port"
  stop_tree "$pid" TERM
  local critical
  critical=$(grep -c '\[critical\]' "$dir/sluice.log" || true)
  [ "$critical" -eq 0 ] || log "sluice logged $critical [critical] lines: see $dir/sluice.log"
}

# ---- the table ----
# cell PROXY KEY: the median over the rounds' JSON files, plus "(min–max)" when there were several.
cell() {
  local file
  for file in "$RUN_DIR/$1".r*.json; do if [ -s "$file" ]; then json_field "$file" "$2"; fi; done | sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "–"; exit }
      median = (NR % 2) ? v[(NR + 1) / 2] : sprintf("%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2)
      if (!(NR % 2)) { sub(/0+$/, "", median); sub(/\.$/, "", median) }
      if (NR > 1 && v[1] != v[NR]) printf "%s (%s–%s)\n", median, v[1], v[NR]; else print median
    }'
}

# row LABEL KEY [MIN_STREAMS] [noratio]: one table row; ratio = sluice / nginx of the medians. Below
# MIN_STREAMS the figure is noise (allocator pages, 10 ms CPU ticks), so it is not shown.
row() {
  local label=$1 key=$2 min=${3:-0} with_ratio=${4:-ratio} n s
  if [ "$COUNT" -lt "$min" ]; then
    echo "| $label | n/a | n/a | (needs ≥ $min streams) |"
    return
  fi
  n=$(cell nginx "$key")
  s=$(cell sluice "$key")
  awk -v label="$label" -v n="$n" -v s="$s" -v with_ratio="$with_ratio" 'BEGIN {
    split(n, nv, " "); split(s, sv, " ")
    ratio = (with_ratio == "ratio" && nv[1] != "–" && sv[1] != "–" && nv[1] + 0 != 0) ? sprintf("%.2f", sv[1] / nv[1]) : "–"
    printf "| %s | %s | %s | %s |\n", label, n, s, ratio }'
}

print_table() {
  COUNT=$1
  {
    echo
    echo "### $COUNT stream(s): hold ${DURATION} s, 1 event / ${INTERVAL_MS} ms / stream, ${EVENT_BYTES}-byte events ($EMIT_MODE), $REPEAT round(s)"
    echo
    echo "| metric | nginx | sluice | sluice/nginx |"
    echo "|---|---|---|---|"
    row "streams established" streams_established
    row "streams failed" streams_failed
    row "latency p50 (ms)" p50_ms
    row "latency p90 (ms)" p90_ms
    row "latency p99 (ms)" p99_ms
    row "latency p99.9 (ms)" p999_ms 100
    row "latency max (ms)" max_ms
    row "events received in hold" events_hold
    row "events lost" events_lost
    row "streams ended early" streams_ended_early
    row "RSS per stream (KB)" rss_per_stream_kb 100
    row "proxy RSS at end of hold (KB)" rss_held_kb
    row "proxy CPU in hold (s)" proxy_cpu_s
    row "proxy CPU per event (µs)" proxy_cpu_us_per_event 100
    row "emitter CPU in hold (s)" emitter_cpu_s
    row "client CPU in hold (s)" client_cpu_s
    row "other processes' CPU in hold (s)" other_cpu_s 0 noratio # context, not a property of either proxy
  } | tee -a "$TABLES"
}

main() {
  ensure_nginx
  log "results in $RESULTS_DIR; nginx $("$NGINX" -v 2>&1 | sed 's/.*version: //'); sluice $([ -x "$SLUICE_BIN" ] && "$SLUICE_BIN" --version 2>&1 | head -n 1 || echo 'not built')"
  {
    echo "## Sluice vs nginx, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $WORKERS workers each"
    echo
    echo "Latency = client receive time - emitter send time (CLOCK_MONOTONIC, same machine). Ratio < 1 favours sluice."
    echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg); nice $NICE."
  } | tee "$TABLES"
  for count in $STREAMS; do
    RUN_DIR=$RESULTS_DIR/$count
    mkdir -p "$RUN_DIR"
    start_emitter "$RUN_DIR"
    log "== $count streams: emitter pid $EMITTER_PID on 127.0.0.1:$EMITTER_PORT"
    for round in $(seq "$REPEAT"); do
      order=$PROXIES
      # Every other round runs the proxies in reverse order, so neither always inherits the other's
      # TIME_WAIT sockets and warm caches.
      [ $((round % 2)) -eq 0 ] && order=$(echo "$PROXIES" | tr ' ' '\n' | tac | tr '\n' ' ')
      for proxy in $order; do
        "run_$proxy" "$count" "$round" || log "$proxy run $round for $count streams failed"
        sleep 2 # let the proxy's upstream connections close at the emitter before the next run
      done
    done
    stop_tree "$EMITTER_PID" TERM
    cat "$RUN_DIR/emitter.log" >&2
    print_table "$count"
  done
  log "tables: $TABLES"
}

main
