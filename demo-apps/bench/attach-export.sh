#!/usr/bin/env bash
# Time to attach to a running server and export the sessions it already holds.
# Starts memcached and one embedded Tomcat 10.1 with the demo shop WITHOUT the agent, creates N sessions
# of about 2 KB each (one cart holding a 2,000-character item; one request per session, no cookies),
# then runs 'java -jar session-mirror-agent.jar attach <pid>' and prints what it reports (attach time,
# sessions exported and export time) and how many items memcached then holds.
#
#   demo-apps/bench/attach-export.sh [N] [RATE]   (default N=10000, RATE=the export option, default 5000/s;
#                                                  run 'mvn -DskipTests verify' first)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${1:-10000}
RATE=${2:-5000}
MC_PORT=${MEMCACHED_PORT:-21312}
PORT=${PORT:-8092}
OUT="$ROOT/demo-run/bench-attach"
rm -rf "$OUT"; mkdir -p "$OUT"
user=(); [ "$(id -u)" -eq 0 ] && user=(-u memcache)
memcached "${user[@]}" -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 256 & MC=$!
java -Xmx1g -Ddemo.server.name=bench \
  -cp "$ROOT/demo-apps/tomcat-launcher/target/tomcat-launcher-0.1.0-SNAPSHOT.jar:$ROOT/agent/target/servers/tomcat-10.1.62/*" \
  io.sessionmirror.demo.launcher.TomcatLauncher --port "$PORT" --app /shop="$ROOT/demo-apps/shop-webapp-jakarta/target/shop.war" \
  --base "$OUT/tomcat" > "$OUT/tomcat.log" 2>&1 & PID=$!
trap 'kill $MC $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/shop/stats" >/dev/null 2>&1 && break; sleep 0.2; done

item=$(head -c 1900 /dev/zero | tr '\0' 'x')
for i in $(seq 1 "$N"); do echo "url = \"http://127.0.0.1:$PORT/shop/cart/add?item=$i-$item&format=text\""; echo 'output = "/dev/null"'; done > "$OUT/create.txt"
s=$(date +%s.%N); curl -fs -K "$OUT/create.txt"; e=$(date +%s.%N)
echo "created $N sessions in $(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.1f", e-s}') s"

s=$(date +%s.%N)
java -jar "$ROOT/agent/target/session-mirror-agent.jar" attach "$PID" "nodes=127.0.0.1:$MC_PORT,export=$RATE"
e=$(date +%s.%N)
echo "the attach command took $(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.1f", e-s}') s in all (JVM start, attach, export)"
exec 3<>/dev/tcp/127.0.0.1/$MC_PORT; printf 'stats\r\nquit\r\n' >&3
stats=$(cat <&3)
echo "memcached: $(echo "$stats" | grep -E 'STAT (curr_items|bytes) ' | tr -d '\r' | awk '{printf "%s=%s ", $2, $3}')"
grep -o "Exported .*" "$OUT/tomcat.log" || true
