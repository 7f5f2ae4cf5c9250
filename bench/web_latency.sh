#!/usr/bin/env bash
# Server time of web pages as staff see them: logs in to a running `tonlage run`, then requests
# each path N times with curl and prints p50 / p95 of time_total in ms.
# Usage: bench/web_latency.sh BASE_URL USER PASSWORD N PATH...
# A `{i}` in a PATH becomes the request's number (1..N), so every request can differ from the
# last, e.g. `/search?q=polisen+-zz{i}` (same matches, a new query each time: nothing reused).
set -euo pipefail
base=$1 user=$2 pass=$3 n=$4
shift 4
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
token=$(curl -s -c "$jar" "$base/login" | sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p')
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "token=$token" \
  --data-urlencode "username=$user" --data-urlencode "password=$pass" "$base/login"
for path in "$@"; do
  code=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "$base${path//\{i\}/0}")
  [ "$code" = 200 ] || { echo "$path: HTTP $code" >&2; exit 1; }
  for i in $(seq "$n"); do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$base${path//\{i\}/$i}"; done |
    sort -n | awk -v p="$path" '{ v[NR] = $1 * 1000 } END {
      i50 = int((NR - 1) * 0.50 + 0.5) + 1; i95 = int((NR - 1) * 0.95 + 0.5) + 1
      printf "%-60s p50 %7.1f ms  p95 %7.1f ms  (%d requests)\n", p, v[i50], v[i95], NR }'
done
