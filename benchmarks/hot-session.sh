#!/usr/bin/env bash
# What one configuration costs on hot sessions, quickly: embedded Tomcat 9 with the demo shop, 32 sessions with a
# cart of 11 items, wrk -t2 -c16 cycling through them for 10 s after 8 s of warm-up; prints requests/s, the server
# process's CPU per request (from /proc) and memcached sets per request. Used to choose write.interval's default
# (docs/benchmarks.md, "write.interval: the default, measured").
#
#   benchmarks/hot-session.sh none|<agent options appended to nodes=...> [path]
#   e.g. benchmarks/hot-session.sh ",write.interval=0" "/shop/counter?format=text"
#
# Needs what benchmarks/run.sh builds (mvn -DskipTests package), memcached, wrk, curl and nc.
set -euo pipefail
cd "$(dirname "$0")/.."
options="${1:-}"
path="${2:-/shop/counter?format=text}"
port=$((20000 + RANDOM % 5000)); mport=$((port + 1))
memcached -p "$mport" -U 0 -l 127.0.0.1 $([ "$(id -u)" -eq 0 ] && echo "-u memcache") &
mpid=$!
agent=()
[ "$options" != none ] && agent=("-javaagent:agent/target/session-mirror-agent.jar=nodes=127.0.0.1:$mport$options")
base=$(mktemp -d)
java "${agent[@]}" -Xmx512m -cp "demo-apps/tomcat-launcher/target/tomcat-launcher-0.1.0-SNAPSHOT.jar:benchmarks/target/tomcat9/*" \
  io.sessionmirror.demo.launcher.TomcatLauncher --port "$port" --app /shop=demo-apps/shop-webapp/target/shop.war \
  --base "$base" > "$base/server.log" 2>&1 &
jpid=$!
trap 'kill $jpid $mpid 2>/dev/null; rm -rf "$base"' EXIT
until curl -s -o /dev/null "localhost:$port/shop/stats"; do sleep 0.1; done
ids=""
for i in $(seq 1 32); do
  id=$(curl -s -D - -o /dev/null "localhost:$port/shop/cart/add?item=item$i&format=text" \
    | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: JSESSIONID=\([^;]*\).*/\1/p')
  for j in $(seq 1 10); do curl -s -o /dev/null -b "JSESSIONID=$id" "localhost:$port/shop/cart/add?item=x$j&format=text"; done
  ids="$ids\"$id\","
done
cat > "$base/hot.lua" <<LUA
ids = {${ids%,}}
n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "$path", {["Cookie"] = "JSESSIONID=" .. ids[(n % #ids) + 1]})
end
LUA
sets() { (echo stats; sleep 0.2) | nc -q1 127.0.0.1 "$mport" | tr -d '\r' | awk '$2 == "cmd_set" {print $3}'; }
wrk -t2 -c16 -d8s -s "$base/hot.lua" "http://127.0.0.1:$port" > /dev/null
s0=$(sets); t0=$(awk '{print $14 + $15}' "/proc/$jpid/stat")
out=$(wrk -t2 -c16 -d10s -s "$base/hot.lua" "http://127.0.0.1:$port")
t1=$(awk '{print $14 + $15}' "/proc/$jpid/stat")
s1=$(sets)
requests=$(echo "$out" | awk '/requests in/ {print $1}')
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
ticks=$(getconf CLK_TCK)
awk -v o="$options" -v p="$path" -v r="$rps" -v n="$requests" -v t=$((t1 - t0)) -v k="$ticks" -v s=$((s1 - s0)) \
  'BEGIN { printf "%s %s: %.0f requests/s, server CPU %.1f us/request, %.3f memcached sets/request\n", o, p, r, t * 1e6 / k / n, s / n }'
