#!/usr/bin/env bash
# Checks at scale (issue 11): 5,000 HTTP monitors every 10 s — 500 checks a second —
# against a loopback server (examples/ceiling.rs) for 5 minutes, on SQLite. Reports how
# late checks start (the server logs p50/p99/max once a minute: the wait past each check's
# due time, counting the wait for one of the 64 check slots), the server's CPU and resident
# memory, and how fast the database grows once the first minute's roll-ups exist.
#
#     bash benches/checks.sh            (MONITORS=5000 SECS=300 PORT=3920; needs sqlite3)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
cargo build --release --quiet --bin lull --example ceiling
LULL=target/release/lull
TARGET=target/release/examples/ceiling
DIR=$(mktemp -d)
PORT=${PORT:-3920}
TPORT=$((PORT + 1))
N=${MONITORS:-5000}
SECS=${SECS:-300}
export LULL_DATABASE_URL="sqlite://$DIR/bench.db" LULL_BIND="127.0.0.1:$PORT" LULL_LOG=info LULL_LOG_FORMAT=text
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT

$LULL migrate >/dev/null
sqlite3 "$DIR/bench.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
  INSERT INTO monitors (slug, name, description, status, created_at, updated_at, check_type, url,
                        interval_secs, timeout_secs)
  SELECT 'm' || i, 'Monitor ' || i, '', 'UP', 0, 0, 'http', 'http://127.0.0.1:$TPORT/', 10, 5 FROM n;"
$TARGET "127.0.0.1:$TPORT" 2 &
sleep 0.3
$LULL serve >"$DIR/serve.log" 2>&1 &
PID=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.05; done

ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
size() { du -cb "$DIR"/bench.db* | tail -n 1 | cut -f1; }
rss_max=0
sample_rss() {
  local kb
  kb=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
  [ "$kb" -gt "$rss_max" ] && rss_max=$kb
  return 0
}
# The first checks are spread over the first interval; the roll-ups' first minute is
# written after a minute: measure from there.
for _ in $(seq 1 13); do sleep 5; sample_rss; done
c0=$(cpu); s0=$(size); t0=$(date +%s)
while [ $(( $(date +%s) - t0 )) -lt $((SECS - 65)) ]; do sleep 5; sample_rss; done
c1=$(cpu); s1=$(size); t1=$(date +%s)
secs=$((t1 - t0))

echo
echo "$N HTTP monitors every 10 s against a loopback server, ${SECS} s on SQLite"
echo "check lateness by minute (checks started, p50 / p99 / max ms):"
grep 'checks started in the last minute' "$DIR/serve.log" \
  | sed -E 's/.*checks=([0-9]+) p50_ms=([0-9]+) p99_ms=([0-9]+) max_ms=([0-9]+).*/  \1  \2 \/ \3 \/ \4/'
echo "worst minute's p99: $(grep -o 'p99_ms=[0-9]*' "$DIR/serve.log" | cut -d= -f2 | sort -n | tail -n 1) ms"
echo "server CPU over ${secs} s: $(awk -v c=$((c1 - c0)) -v t="$ticks" -v s="$secs" 'BEGIN { printf "%.0f%%", 100 * c / t / s }') of one core"
echo "server resident memory, max: $((rss_max / 1024)) MB"
echo "database: $((s1 / 1024)) KB after ${SECS} s, growing $(awk -v d=$((s1 - s0)) -v s="$secs" 'BEGIN { printf "%.1f", d / s * 3600 / 1048576 }') MB an hour (the minute roll-ups and the last 100 results per monitor fill up first, then stay)"
echo "errors logged: $(grep -c ERROR "$DIR/serve.log" || true)"
