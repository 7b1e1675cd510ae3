#!/usr/bin/env bash
# /healthz latency under wrk with the compute pool idle versus busy with sgemm jobs
# on both cores, interleaved (idle, busy, idle, busy, …) in one run.
#
# Usage: Tools/bench/healthz_under_load.sh [rounds] [seconds]
# Needs: the release server (swift build -c release --product diffusion-server), wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
seconds=${2:-10}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
config=$(mktemp --suffix=.yaml)
cat >"$config" <<YAML
compute:
  workers: 1
  threads: 0
  queue_depth: 64
logging:
  level: warning
YAML
.build/release/diffusion-server --config "$config" --host 127.0.0.1 --port "$port" 2>/dev/null &
server=$!
feeder=""
cleanup() { [ -n "$feeder" ] && kill "$feeder" 2>/dev/null; kill -TERM "$server" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "kernel: $(curl -s "http://127.0.0.1:$port/metrics" | grep -o 'blas_kernel="[^"]*"')"

# Keeps a few large sgemm jobs queued so both cores stay busy for the whole window.
feed_jobs() {
  while true; do
    queued=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^inference_queue_size /{print $2}')
    if [ "${queued:-0}" -lt 2 ]; then
      curl -s -o /dev/null -X POST "http://127.0.0.1:$port/v1/diagnostics/sgemm" \
        -H 'Content-Type: application/json' -d '{"size": 1024, "iterations": 200, "async": true}'
    fi
    sleep 0.2
  done
}

run_wrk() {  # prints: requests/s p50_ms p99_ms
  wrk -t1 -c16 -d"${seconds}s" --latency "http://127.0.0.1:$port/healthz" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%s %.3f %.3f\n", rps, ms(p50), ms(p99)}'
}

printf "%-6s %-5s %10s %9s %9s %8s\n" round pool "req/s" "p50 ms" "p99 ms" "jobs"
for round in $(seq 1 "$rounds"); do
  read -r rps p50 p99 < <(run_wrk)
  printf "%-6s %-5s %10s %9s %9s %8s\n" "$round" idle "$rps" "$p50" "$p99" "-"
  feed_jobs & feeder=$!
  sleep 2
  before=$(curl -s "http://127.0.0.1:$port/metrics" | awk -F' ' '/^inference_jobs_total/{s+=$2} END{print s+0}')
  read -r rps p50 p99 < <(run_wrk)
  after=$(curl -s "http://127.0.0.1:$port/metrics" | awk -F' ' '/^inference_jobs_total/{s+=$2} END{print s+0}')
  running=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^inference_jobs_in_flight /{print $2}')
  printf "%-6s %-5s %10s %9s %9s %8s\n" "$round" busy "$rps" "$p50" "$p99" "$((after - before))+${running}"
  kill "$feeder"; wait "$feeder" 2>/dev/null || true; feeder=""
  # Let the queue drain before the next idle window.
  for _ in $(seq 1 300); do
    [ "$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^inference_jobs_in_flight /{print $2}')" = "0" ] && break
    sleep 0.2
  done
done
