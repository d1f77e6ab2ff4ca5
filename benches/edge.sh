#!/usr/bin/env bash
# Issue 9's figures against the release binary on loopback (SQLite):
#  1. the review's preview bomb (YEARLY × every BYMONTHDAY × BYHOUR × BYMINUTE × BYSECOND):
#     answer, time, and the server's peak memory; then GET / while four run at once;
#  2. the status page with a dozen hourly plans (size, and that a day-6 plan is on it);
#  3. per-plan queries with 1,000 plans and 1M events of history.
#
#     bash benches/edge.sh            (needs curl, python3 and sqlite3)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin lull
LULL=target/release/lull
DIR=$(mktemp -d)
PORT=${PORT:-3950}
BASE="http://127.0.0.1:$PORT"
export LULL_DATABASE_URL="sqlite://$DIR/bench.db" LULL_BIND="127.0.0.1:$PORT" LULL_LOG=warn
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
$LULL migrate >/dev/null
TOKEN=$($LULL token create --name bench | tail -n 1)
$LULL serve & PID=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")" = 200 ]; do sleep 0.01; done
api() { curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@"; }
hwm() { awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$PID/status"; }

echo "== preview bomb"
echo "peak memory before: $(hwm)"
BOMB=$(python3 -c "r=lambda a,b: ','.join(map(str, range(a, b))); print(f'FREQ=YEARLY;BYMONTH={r(1,13)};BYMONTHDAY={r(1,32)};BYHOUR={r(0,24)};BYMINUTE={r(0,60)};BYSECOND={r(0,60)}')")
bomb() {
  curl -s -o /dev/null -w "$1 %{http_code} %{time_total}s\n" -G "$BASE/api/v1/schedule/preview" \
    --data-urlencode "rrule=$BOMB" --data-urlencode start=2026-01-01T00:00 --data-urlencode tz=UTC \
    --data-urlencode duration=1 --data-urlencode limit=1
}
bomb "one bomb:"
# The densest rule it still expands: 12 × 28 × 24 = 8,064 instants per yearly period.
BIG=$(python3 -c "r=lambda a,b: ','.join(map(str, range(a, b))); print(f'FREQ=YEARLY;BYMONTH={r(1,13)};BYMONTHDAY={r(1,29)};BYHOUR={r(0,24)}')")
curl -s -o /dev/null -w "densest accepted rule, 100 windows: %{http_code} %{time_total}s\n" -G "$BASE/api/v1/schedule/preview" \
  --data-urlencode "rrule=$BIG" --data-urlencode start=2026-01-01T00:00 --data-urlencode tz=Europe/Berlin \
  --data-urlencode duration=60 --data-urlencode limit=100
for i in 1 2 3 4; do bomb "bomb $i of 4 at once:" & done
sleep 0.05
curl -s -o /dev/null -w "GET / meanwhile: %{http_code} %{time_total}s\n" "$BASE/"
wait %2 %3 %4 %5 2>/dev/null || true
echo "peak memory after: $(hwm)"

echo "== a dozen hourly plans"
api -d '{"name":"API","slug":"api"}' "$BASE/api/v1/monitors"
for i in $(seq 1 12); do
  start_at=$(date -u -d "+$i minutes" +%Y-%m-%dT%H:%M)
  api -d "{\"title\":\"Hourly job $i\",\"start\":\"$start_at\",\"timezone\":\"UTC\",\"duration\":600,\"rrule\":\"FREQ=HOURLY\",\"monitors\":[{\"slug\":\"api\"}]}" "$BASE/api/v1/maintenances"
done
day6=$(date -u -d "+6 days" +%Y-%m-%dT%H:%M)
api -d "{\"title\":\"Day six upgrade\",\"start\":\"$day6\",\"timezone\":\"UTC\",\"duration\":3600,\"monitors\":[{\"slug\":\"api\"}]}" "$BASE/api/v1/maintenances"
sleep 1.5
curl -s "$BASE/" -o "$DIR/page.html"
echo "page: $(wc -c < "$DIR/page.html") bytes, day-6 plan shown: $(grep -c 'Day six upgrade' "$DIR/page.html")"
curl -s "$BASE/api/v1/status" | python3 -c "import json,sys; d=json.load(sys.stdin); print('api: upcoming_by_maintenance', len(d['upcoming_by_maintenance']), 'plans,', sum(len(p['windows']) for p in d['upcoming_by_maintenance']), 'windows')"

echo "== 1,000 plans, 1M events of history"
sqlite3 "$DIR/bench.db" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO maintenances (title, description, start_local, timezone, duration, rrule, status, reminder_lead,
  notify_scheduled, notify_reminder, notify_start, notify_completion, notify_cancellation, created_at, updated_at)
SELECT 'Old plan ' || i, '', '2026-01-01T00:00', 'UTC', 600, 'FREQ=HOURLY;COUNT=1000', 'INACTIVE', 3600, 0, 0, 0, 0, 0, 0, 0 FROM n;
WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 1000)
INSERT INTO events (maintenance_id, scheduled_start, scheduled_end, start_at, end_at, lead, status, created_at, updated_at)
SELECT m.id, 1767225600 + j * 3600, 1767225600 + j * 3600 + 600, 1767225600 + j * 3600, 1767225600 + j * 3600 + 600,
  3600, 'COMPLETED', 0, 0 FROM maintenances m, k WHERE m.title LIKE 'Old plan %';"
echo "events: $(sqlite3 "$DIR/bench.db" 'SELECT COUNT(*) FROM events')"
ID=$(sqlite3 "$DIR/bench.db" "SELECT id FROM maintenances WHERE title = 'Old plan 500'")
sleep 1
for path in "/api/v1/maintenances/$ID" "/api/v1/maintenances/$ID/events" /api/v1/status /history; do
  best=
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
    best=$(python3 -c "print(min(float('$t'), float('${best:-$t}')))")
  done
  printf '%-36s best of 5: %.1f ms\n' "$path" "$(python3 -c "print($best * 1000)")"
done
