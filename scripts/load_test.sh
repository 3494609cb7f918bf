#!/usr/bin/env bash
# Load test of the running service with Debian's wrk (issue 7): starts `kavosh serve` on an index
# (127.0.0.1 only, a free port), runs scripts/wrk/search.lua and suggest.lua with 1 and 8
# connections for a bounded time each (searches with analytics=false, then once more at 8
# connections counted in the search insights, for what counting costs), and stops the server.
#
#   scripts/load_test.sh INDEX_DIR [SECONDS]        (SECONDS per run, default 20)
#
# Build first: cargo build --release (the binary is $CARGO_TARGET_DIR or target/, release;
# KAVOSH_BIN=PATH runs another, e.g. a copy of the binary before a change, for a before/after
# in the same session). LOAD_CONNECTIONS="1 4" sets the connection counts of the search and
# suggest runs (default "1 8"). The server inherits the environment: KAVOSH_SEARCH_CACHE_MB=0
# measures every search cold, KAVOSH_SEARCH_THREADS=1 searches each query on one thread.
# Each run prints wrk's `wrk_result` line and the server's own latency histogram for that run
# (from /metrics, the difference of kavosh_http_request_duration_seconds before and after):
#   server endpoint=search requests=N le_1ms=..% le_2.5ms=..% le_3ms=..% le_5ms=..% le_10ms=..% le_20ms=..% ...
# Why both: wrk 4 corrects its percentiles for coordinated omission (after the run it adds the
# requests a constant-rate client would have sent while a slow reply blocked the connection),
# so one 0.7 s query lifts its p90/p99 at 1 connection far above any request's own time; the
# server's histogram counts each request's own time, from routing to the reply.
set -euo pipefail

die() { echo "load_test.sh: $*" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || die "usage: scripts/load_test.sh INDEX_DIR [SECONDS]"
index="$1"
secs="${2:-20}"
[[ -f "$index/meta.json" ]] || die "no index in '$index' (build one: kavosh ingest --index DIR FILE.ndjson)"
[[ "$secs" =~ ^[0-9]+$ && "$secs" -ge 1 && "$secs" -le 600 ]] || die "SECONDS must be 1..600"
command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is missing"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${KAVOSH_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/kavosh}"
[[ -x "$bin" ]] || die "no $bin: run cargo build --release first"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
log="$(mktemp)"
# No rate limit: wrk is one client sending as fast as it can.
"$bin" serve --index "$index" --listen "127.0.0.1:$port" --rate-limit 0 > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  curl -sf "$url/health" > /dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || die "the server stopped: $(tail -n 5 "$log")"
  sleep 0.2
done
curl -sf "$url/health" > /dev/null || die "the server did not answer /health in 20 s"

# le=bound count pairs of the duration histogram of one route.
histogram() {
  curl -sf "$url/metrics" \
    | grep "^kavosh_http_request_duration_seconds_bucket{.*route=\"/$1\",status=\"200\"" \
    | sed -E 's/.*le="([^"]+)"\} ([0-9]+)$/\1 \2/' || true
}
server_line() { # server_line ENDPOINT BEFORE AFTER
  awk -v ep="$1" 'NR == FNR { before[$1] = $2; next }
    { n[++k] = $1; c[k] = $2 - before[$1] }
    END {
      total = c[k]; line = "server endpoint=" ep " requests=" total
      for (i = 1; i < k; i++) if (total > 0) line = line sprintf(" le_%gms=%.1f%%", n[i] * 1000, 100 * c[i] / total)
      print line
    }' <(echo "$2") <(echo "$3")
}

echo "load test: $(curl -sf "$url/health"), ${secs}s per run, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t1 -c2 -d3s -s "$root/scripts/wrk/search.lua" "$url" > /dev/null # warm-up, not reported
# "counted": the same searches counted in the search insights (the others pass analytics=false),
# right after the run without counting, for the cost of counting.
runs=()
for c in ${LOAD_CONNECTIONS:-1 8}; do runs+=("search $(( c > 1 ? 2 : 1 )) $c"); done
runs+=("search 2 ${c} counted")
for c in ${LOAD_CONNECTIONS:-1 8}; do runs+=("suggest $(( c > 1 ? 2 : 1 )) $c"); done
for run in "${runs[@]}"; do
  read -r endpoint threads conns counted <<< "$run"
  before="$(histogram "$endpoint")"
  echo "== /$endpoint, $conns connection(s)${counted:+, counted in the insights}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  WRK_SEARCH_COUNTED="${counted:+1}" \
  wrk --latency --timeout 10s -t"$threads" -c"$conns" -d"${secs}s" -s "$root/scripts/wrk/$endpoint.lua" "$url" \
    | grep '^wrk_result'
  server_line "$endpoint" "$before" "$(histogram "$endpoint")"
done
# The server's memory after the runs: resident (high-water), its heap and its mapped index files.
awk '/^(VmHWM|VmRSS|RssAnon|RssFile):/ { printf "%s%s=%dMB", sep, $1, $2 / 1024; sep = " " } END { print "" }' \
  "/proc/$server/status" | sed 's/://g; s/^/server memory: /'
echo "done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
