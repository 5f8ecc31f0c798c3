#!/usr/bin/env bash
# Session Mirror demo: memcached and two Tomcat servers with the agent, on this machine.
#
#   demo-apps/cluster.sh                  run the scenario, then leave the cluster running until Ctrl-C
#   demo-apps/cluster.sh --scenario-only  run the scenario and stop everything
#
# The scenario: a user fills a cart on server A, A is killed with kill -9, and the same user's next
# request goes to server B, which finds the session in Memcached: same session id, cart intact.
# Ports: memcached 21211, server A 8081, server B 8082 (override with MEMCACHED_PORT, PORT_A, PORT_B).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCENARIO_ONLY=false
for arg in "$@"; do
  case "$arg" in
    --scenario-only) SCENARIO_ONLY=true ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "cluster.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

MC_PORT=${MEMCACHED_PORT:-21211}
PORT_A=${PORT_A:-8081}
PORT_B=${PORT_B:-8082}
RUN="$ROOT/demo-run"
AGENT="$ROOT/agent/target/session-mirror-agent.jar"
TOMCAT_VERSION=10.1.62

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
fail() { echo "cluster.sh: $*" >&2; exit 1; }

# --- what is missing gets installed --------------------------------------------------------------
need=()
command -v memcached >/dev/null 2>&1 || need+=(memcached)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "Installing ${need[*]}"
  $sudo apt-get update -qq || fail "apt-get update failed; install ${need[*]} by hand"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null \
    || fail "could not install ${need[*]}; install them by hand and run again"
fi
command -v java >/dev/null 2>&1 || fail "java not found: install a JDK 17 (apt-get install openjdk-17-jdk)"
command -v mvn >/dev/null 2>&1 || fail "mvn not found: install Maven (apt-get install maven)"

for p in "$MC_PORT" "$PORT_A" "$PORT_B"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    fail "port $p is taken by another program; free it or set MEMCACHED_PORT / PORT_A / PORT_B"
  fi
done

# --- build ---------------------------------------------------------------------------------------
say "Building the agent and the demo shop (mvn package)"
mvn -q -B -ntp -Dstyle.color=never -DskipTests verify
[ -f "$AGENT" ] || fail "the build did not produce $AGENT"
rm -rf "$RUN"; mkdir -p "$RUN"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'echo; say "Stopping everything"; exit 0' INT TERM

start_memcached() {
  local user=()
  [ "$(id -u)" -eq 0 ] && user=(-u memcache)
  memcached "${user[@]}" -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 64 >"$RUN/memcached.log" 2>&1 &
  PIDS+=($!)
}

# start_server NAME PORT: an unmodified embedded Tomcat with the demo shop, plus the agent flag.
start_server() {
  local name=$1 port=$2
  java -javaagent:"$AGENT"=nodes=127.0.0.1:$MC_PORT -Ddemo.server.name="$name" \
    -cp "$ROOT/demo-apps/tomcat-launcher/target/tomcat-launcher-0.1.0-SNAPSHOT.jar:$ROOT/agent/target/servers/tomcat-$TOMCAT_VERSION/*" \
    io.sessionmirror.demo.launcher.TomcatLauncher --port "$port" \
    --app /shop="$ROOT/demo-apps/shop-webapp-jakarta/target/shop.war" --base "$RUN/$name" >"$RUN/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
}

await_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/shop/stats" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  tail -20 "$RUN/$name.log" >&2
  fail "server $name did not start (log: $RUN/$name.log)"
}

COOKIES="$RUN/cookies.txt"
visit() { # visit PORT PATH: one request as our user, printing what the shop says
  curl -fsS -b "$COOKIES" -c "$COOKIES" "http://127.0.0.1:$1/shop$2" | sed 's/^/    /'
}
field() { curl -fsS -b "$COOKIES" -c "$COOKIES" "http://127.0.0.1:$1/shop/session" | sed -n "s/^$2=//p"; }

say "Starting memcached on port $MC_PORT and Tomcat $TOMCAT_VERSION servers A (port $PORT_A) and B (port $PORT_B), each with -javaagent:session-mirror-agent.jar=nodes=127.0.0.1:$MC_PORT"
start_memcached
start_server A "$PORT_A"
start_server B "$PORT_B"
await_ready A "$PORT_A"
await_ready B "$PORT_B"

say "1. The user shops on server A"
visit "$PORT_A" "/cart/add?item=apple&format=text" >/dev/null
visit "$PORT_A" "/cart/add?item=coffee&format=text" >/dev/null
visit "$PORT_A" "/counter?format=text"
ID_BEFORE=$(field "$PORT_A" id)
sleep 0.5 # the write to Memcached happens after the response, in the background

say "2. Server A dies: kill -9 $PID_A"
kill -9 "$PID_A"; wait "$PID_A" 2>/dev/null || true

say "3. The user's next request reaches server B"
visit "$PORT_B" "/session"
ID_AFTER=$(field "$PORT_B" id)
SERVER=$(field "$PORT_B" server)
CART=$(field "$PORT_B" attr.cart)

say "4. Server A comes back"
start_server A "$PORT_A"
await_ready A "$PORT_A"
echo "    server A is up again (pid $PID_A)"

say "Result"
echo "    session id before: $ID_BEFORE"
echo "    session id after:  $ID_AFTER"
echo "    served by:         $SERVER"
echo "    cart:              $CART"
if [ "$ID_BEFORE" = "$ID_AFTER" ] && [ "$SERVER" = "B" ] && [ "$CART" = "[apple, coffee]" ]; then
  echo "    FAILOVER OK: server B carried on with the user's session; the user noticed nothing."
else
  echo "    FAILOVER FAILED: see the logs in $RUN" >&2
  exit 1
fi

if $SCENARIO_ONLY; then exit 0; fi
say "The cluster keeps running. Try it in a browser:"
echo "    http://127.0.0.1:$PORT_A/shop/   (server A)"
echo "    http://127.0.0.1:$PORT_B/shop/   (server B)"
echo "    Add items on one, kill it (kill -9 <pid>), open the same page on the other: same session."
echo "    Logs: $RUN/*.log. Ctrl-C stops everything."
while true; do sleep 1; done
