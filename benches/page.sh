#!/usr/bin/env bash
# Load benchmark of the public page: `/` with 50 monitors, 20 upcoming events and one
# ongoing event, next to a trivial axum handler returning a static body of the same size,
# in the same run, with wrk (Debian package). Also reports the server's resident memory
# after the load and the time from launch to the first 200.
#
#     bash benches/page.sh            (needs wrk and curl; installs wrk with apt-get if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin lull --example ceiling
LULL=target/release/lull
CEIL=target/release/examples/ceiling
DIR=$(mktemp -d)
PORT=${PORT:-3900}
CPORT=$((PORT + 1))
CONNS=${CONNS:-50}
SECS=${SECS:-10}
export LULL_DATABASE_URL="sqlite://$DIR/bench.db" LULL_BIND="127.0.0.1:$PORT" LULL_LOG=warn
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT

$LULL migrate >/dev/null
TOKEN=$($LULL token create --name bench | tail -n 1)
start=$(date +%s%N)
$LULL serve & PID=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 200 ]; do sleep 0.002; done
first_ms=$(( ($(date +%s%N) - start) / 1000000 ))

api() { curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@"; }
for i in $(seq 1 50); do
  api -d "{\"name\":\"Service $i\",\"slug\":\"svc-$i\",\"group\":\"Group $(( (i - 1) / 10 + 1 ))\"}" "http://127.0.0.1:$PORT/api/v1/monitors"
done
for i in $(seq 1 20); do
  start_at=$(date -u -d "+$(( i * 7 )) hours" +%Y-%m-%dT%H:00)
  api -d "{\"title\":\"Planned work $i\",\"description\":\"Routine **maintenance** number $i.\",\"start\":\"$start_at\",\"timezone\":\"Europe/Berlin\",\"duration\":5400,\"monitors\":[{\"slug\":\"svc-$i\",\"impact\":\"MAINTENANCE\"}]}" \
    "http://127.0.0.1:$PORT/api/v1/maintenances"
done
now=$(date -u -d "-10 minutes" +%Y-%m-%dT%H:%M)
api -d "{\"title\":\"Database failover drill\",\"description\":\"Expect brief read-only periods.\",\"start\":\"$now\",\"timezone\":\"UTC\",\"duration\":7200,\"monitors\":[{\"slug\":\"svc-1\",\"impact\":\"MAINTENANCE\"},{\"slug\":\"svc-2\",\"impact\":\"DEGRADED\"}]}" \
  "http://127.0.0.1:$PORT/api/v1/maintenances"
sleep 1
SIZE=$(curl -s "http://127.0.0.1:$PORT/" | wc -c)
ONGOING=$(curl -s "http://127.0.0.1:$PORT/api/v1/status" | grep -o '"ongoing":\[{' | wc -l)
$CEIL "127.0.0.1:$CPORT" "$SIZE" & sleep 0.3

run() { wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$1" 2>&1; }
lull_out=$(run "http://127.0.0.1:$PORT/")
ceil_out=$(run "http://127.0.0.1:$CPORT/")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")

rps() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
p99() { echo "$1" | awk '$1 == "99%" {print $2}'; }
lr=$(rps "$lull_out"); cr=$(rps "$ceil_out")
echo
echo "page: ${SIZE} bytes, 50 monitors, 20 upcoming, ${ONGOING} ongoing; wrk -t2 -c${CONNS} -d${SECS}s"
printf '%-22s %12s %10s\n' "server" "requests/s" "p99"
printf '%-22s %12s %10s\n' "lull GET /" "$lr" "$(p99 "$lull_out")"
printf '%-22s %12s %10s\n' "axum static string" "$cr" "$(p99 "$ceil_out")"
echo "ratio: $(awk -v a="$lr" -v b="$cr" 'BEGIN { printf "%.0f%%", 100 * a / b }') of the ceiling"
echo "lull resident memory after the load: $(( rss_kb / 1024 )) MB"
echo "launch to first 200: ${first_ms} ms"
