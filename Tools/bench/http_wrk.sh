#!/usr/bin/env bash
# HTTP server benchmark: wrk against GET /healthz on our server and against nginx
# serving a small static file, interleaved A B A B, reporting medians.
#
#   Tools/bench/http_wrk.sh                 # 3 rounds of 15 s each, 64 connections
#   ROUNDS=5 DURATION=15s CONNECTIONS=64 Tools/bench/http_wrk.sh
#   SKIP_BUILD=1 Tools/bench/http_wrk.sh    # reuse .build-bench/healthz-server
#
# wrk, our server and nginx share the machine's cores (loopback), so the figures
# measure the server and the load generator together.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${ROUNDS:-3}"
duration="${DURATION:-15s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
ours_port="${OURS_PORT:-18089}"
nginx_port="${NGINX_PORT:-18090}"
nginx_workers="${NGINX_WORKERS:-2}"

if [[ -z "${SKIP_BUILD:-}" ]]; then "$root/Tools/bench/http_server.sh" >/dev/null; fi
server_cmd="${SERVER_CMD:-$root/.build-bench/healthz-server $ours_port}"

tmp="$(mktemp -d)"
cleanup() {
    [[ -n "${ours_pid:-}" ]] && kill "$ours_pid" 2>/dev/null || true
    [[ -f "$tmp/nginx.pid" ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/html" "$tmp/logs"
# nginx workers may run as another user (when started as root): make the files readable.
chmod 755 "$tmp" "$tmp/html"
printf '{"status":"ok"}' > "$tmp/html/healthz"
chmod 644 "$tmp/html/healthz"
cat > "$tmp/nginx.conf" <<CONF
worker_processes $nginx_workers;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/html;
        location = /healthz { default_type application/json; }
    }
}
CONF

$server_cmd >"$tmp/ours.log" 2>&1 &
ours_pid=$!
nginx -p "$tmp" -c "$tmp/nginx.conf" 2>"$tmp/logs/start.log"
sleep 1
curl -sf "http://127.0.0.1:$ours_port/healthz" >/dev/null || { echo "our server did not answer"; cat "$tmp/ours.log"; exit 1; }
curl -sf "http://127.0.0.1:$nginx_port/healthz" >/dev/null || { echo "nginx did not answer"; cat "$tmp/logs/"*; exit 1; }

# wrk prints latency with units (us, ms, s); normalise to ms.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 }; printf "%.3f", v }'; }

run() {  # name port → "rps p99ms errors"
    local out
    out="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$2/healthz")"
    echo "$out" >>"$tmp/wrk-$1.txt"
    local rps p99 errors
    rps="$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')"
    p99="$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)"
    errors="$(echo "$out" | awk '/Socket errors|Non-2xx/ { print }' | tr '\n' ' ')"
    echo "$rps $p99 ${errors:-none}"
}

echo "wrk -t$threads -c$connections -d$duration --latency, $rounds rounds interleaved (ours, nginx); $(nproc) cores shared by wrk and the server"
echo "| round | ours req/s | ours p99 ms | nginx req/s | nginx p99 ms |"
echo "|---|---|---|---|---|"
ours_rps=(); ours_p99=(); nginx_rps=(); nginx_p99=()
for round in $(seq 1 "$rounds"); do
    read -r a_rps a_p99 a_err <<<"$(run ours "$ours_port")"
    read -r b_rps b_p99 b_err <<<"$(run nginx "$nginx_port")"
    ours_rps+=("$a_rps"); ours_p99+=("$a_p99"); nginx_rps+=("$b_rps"); nginx_p99+=("$b_p99")
    echo "| $round | $a_rps | $a_p99 | $b_rps | $b_p99 |"
    [[ "$a_err" != "none" ]] && echo "  ours errors: $a_err"
    [[ "$b_err" != "none" ]] && echo "  nginx errors: $b_err"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR]=$1 } END { if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
m_ours="$(median "${ours_rps[@]}")"; m_nginx="$(median "${nginx_rps[@]}")"
echo "| median | $m_ours | $(median "${ours_p99[@]}") | $m_nginx | $(median "${nginx_p99[@]}") |"
echo "ratio ours/nginx (median req/s): $(awk -v a="$m_ours" -v b="$m_nginx" 'BEGIN { printf "%.2f", a/b }')"
if [[ -n "${KEEP_WRK_OUTPUT:-}" ]]; then cp "$tmp"/wrk-*.txt "$KEEP_WRK_OUTPUT"/; fi
