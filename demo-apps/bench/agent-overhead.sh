#!/usr/bin/env bash
# Quick measurement of what the agent costs a request thread, from the agent's own counters.
# Starts memcached and one embedded Tomcat 10.1 with the demo shop per mode (write=async, write=sync),
# builds a ~2 KB session (a cart of 40 items), then sends N modifying requests (/counter: setAttribute)
# and N read requests (/session: reads every attribute, the cart is mutable so its serialized form is
# re-checked). At shutdown the agent logs requests, average agent time on the request thread, writes
# and average bytes written; this script prints those lines.
#
#   demo-apps/bench/agent-overhead.sh [N]     (default N=5000; run 'mvn -DskipTests verify' first)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${1:-5000}
MC_PORT=${MEMCACHED_PORT:-21311}
PORT=${PORT:-8091}
OUT="$ROOT/demo-run/bench"
mkdir -p "$OUT"
user=(); [ "$(id -u)" -eq 0 ] && user=(-u memcache)
memcached "${user[@]}" -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 64 & MC=$!
trap 'kill $MC 2>/dev/null || true' EXIT

urls() { # urls PATH COUNT
  for _ in $(seq 1 "$2"); do echo "url = \"http://127.0.0.1:$PORT/shop$1\""; echo 'output = "/dev/null"'; done
}
item=$(printf 'item-%040d' 0)
urls "/cart/add?item=$item&format=text" 40 > "$OUT/build.txt"
urls "/counter?format=text" "$N" > "$OUT/write.txt"
urls "/session" "$N" > "$OUT/read.txt"

for mode in async sync; do
  java -javaagent:"$ROOT/agent/target/session-mirror-agent.jar"=nodes=127.0.0.1:$MC_PORT,write=$mode \
    -Ddemo.server.name=bench -cp "$ROOT/demo-apps/tomcat-launcher/target/tomcat-launcher-0.1.0-SNAPSHOT.jar:$ROOT/agent/target/servers/tomcat-10.1.62/*" \
    io.sessionmirror.demo.launcher.TomcatLauncher --port "$PORT" --app /shop="$ROOT/demo-apps/shop-webapp-jakarta/target/shop.war" \
    --base "$OUT/tomcat-$mode" > "$OUT/$mode.log" 2>&1 & PID=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/shop/stats" >/dev/null 2>&1 && break; sleep 0.2; done
  jar="$OUT/cookies-$mode"
  rm -f "$jar"
  curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/shop/counter" >/dev/null
  curl -fs -c "$jar" -b "$jar" -K "$OUT/build.txt"
  s=$(date +%s.%N); curl -fs -c "$jar" -b "$jar" -K "$OUT/write.txt"; e=$(date +%s.%N)
  w=$(awk -v n="$N" -v s="$s" -v e="$e" 'BEGIN{printf "%d", n/(e-s)}')
  s=$(date +%s.%N); curl -fs -c "$jar" -b "$jar" -K "$OUT/read.txt"; e=$(date +%s.%N)
  r=$(awk -v n="$N" -v s="$s" -v e="$e" 'BEGIN{printf "%d", n/(e-s)}')
  kill "$PID"; wait "$PID" 2>/dev/null || true
  echo "write=$mode: modifying requests/s (one curl, keep-alive) $w, reading requests/s $r"
  grep -o "Session Mirror stopped: .*" "$OUT/$mode.log" | sed "s/^/  /"
done
