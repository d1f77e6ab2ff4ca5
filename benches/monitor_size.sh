#!/usr/bin/env bash
# Database size per monitor once the retention windows are full (issue 11): 100 checked
# monitors, each with its last 100 check results, 24 h of minute roll-ups and 30 days of
# hour roll-ups, written with SQL into a migrated SQLite file and VACUUMed; then a year of
# day roll-ups for the permanent growth. Needs sqlite3 (Debian package).
#
#     bash benches/monitor_size.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
cargo build --quiet --bin lull
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
migrate() { LULL_DATABASE_URL="sqlite://$1?mode=rwc" target/debug/lull migrate >/dev/null; sqlite3 "$1" VACUUM; }
migrate "$DIR/empty.db"
migrate "$DIR/size.db"
sqlite3 "$DIR/size.db" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
INSERT INTO monitors (slug, name, description, status, created_at, updated_at, check_type, url, interval_secs)
SELECT 'm' || i, 'Monitor ' || i, '', 'UP', 0, 0, 'http', 'https://service-' || i || '.example.com/health', 60 FROM n;
WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 100)
INSERT INTO check_results (monitor_id, at, status, latency_ms, error, changed)
SELECT m.id, 1780000000 + j * 60, 'UP', 40 + j % 30, NULL, 0 FROM monitors m, k;
WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 1439)
INSERT INTO check_rollups (monitor_id, period, start, up_secs, checks, latency_min, latency_max, latency_sum)
SELECT m.id, 'minute', 1780000000 + j * 60, 60, 1, 40, 40, 40 FROM monitors m, k;
WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 719)
INSERT INTO check_rollups (monitor_id, period, start, up_secs, checks, latency_min, latency_max, latency_sum)
SELECT m.id, 'hour', 1780000000 + j * 3600, 3600, 60, 30, 90, 2700 FROM monitors m, k;
VACUUM;
SQL
steady=$(stat -c %s "$DIR/size.db")
sqlite3 "$DIR/size.db" "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 364)
INSERT INTO check_rollups (monitor_id, period, start, up_secs, checks, latency_min, latency_max, latency_sum)
SELECT m.id, 'day', 1780000000 + j * 86400, 86400, 1440, 30, 900, 64800 FROM monitors m, k; VACUUM;"
year=$(stat -c %s "$DIR/size.db")
empty=$(stat -c %s "$DIR/empty.db")
echo "per monitor, retention windows full: $(( (steady - empty) / 100 / 1024 )) KB"
echo "per monitor per day, kept for good: $(( (year - steady) / 100 / 365 )) bytes (plus ~80 bytes per status change)"
