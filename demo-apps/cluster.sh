#!/usr/bin/env bash
# Session Mirror demo: a real cluster on this machine, in one command.
#
#   demo-apps/cluster.sh                  run the failover scenario, then leave the cluster running until Ctrl-C
#   demo-apps/cluster.sh --scenario-only  run the scenario and stop everything
#   demo-apps/cluster.sh --non-sticky     round-robin balancing, Memcached as the primary copy (mode=non-sticky)
#   demo-apps/cluster.sh --store redis    the same on Redis: a redis-server instead of memcached (nodes=redis://...)
#   demo-apps/cluster.sh --no-build       use the jars already built (mvn -DskipTests verify)
#   demo-apps/cluster.sh --tls            memcached speaks TLS only (memcached -Z, certificates made with openssl in
#                                         demo-run/tls/); the agents verify it against that CA (tls=true,tls.ca=...)
#   demo-apps/cluster.sh --screenshot F   after the scenario, save a headless Chromium screenshot of the shop as F
#
# What runs (all unmodified; the only addition is the -javaagent flag):
#   memcached                              127.0.0.1:$MEMCACHED_PORT (21211), or with --store redis:
#   redis-server                           127.0.0.1:$REDIS_PORT (26379), no persistence
#   Debian's Tomcat 10 (tomcat10 package), two instances made with tomcat10-instance-create:
#     tomcatA  127.0.0.1:$PORT_A (8081), jvmRoute tomcatA
#     tomcatB  127.0.0.1:$PORT_B (8082), jvmRoute tomcatB
#   Jetty 12.1 (ee10, embedded), worker name jettyC   127.0.0.1:$PORT_C (8083)
#   NGINX on 127.0.0.1:$LB_PORT (8080), sticky by the route at the end of the JSESSIONID cookie, as in
#     the classic NGINX + Memcached set-up; with --non-sticky, plain round robin.
# Every server runs the same demo shop at /shop. Logs and configuration: demo-run/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCENARIO_ONLY=false
NON_STICKY=false
TLS=false
BUILD=true
SCREENSHOT=""
STORE=memcached
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario-only) SCENARIO_ONLY=true ;;
    --non-sticky) NON_STICKY=true ;;
    --no-build) BUILD=false ;;
    --tls) TLS=true ;;
    --screenshot) shift; SCREENSHOT=${1:?--screenshot needs a file name} ;;
    --store) shift; STORE=${1:?--store needs memcached or redis}
      case "$STORE" in memcached|redis) ;; *) echo "cluster.sh: --store is memcached or redis, not '$STORE'" >&2; exit 2 ;; esac ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "cluster.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if $TLS && [ "$STORE" = redis ]; then
  echo "cluster.sh: --tls is for the memcached store in this demo (Redis over TLS: see docs/configuration.md, 'Redis / Valkey')" >&2
  exit 2
fi

LB_PORT=${LB_PORT:-8080}
MC_PORT=${MEMCACHED_PORT:-21211}
REDIS_PORT=${REDIS_PORT:-26379}
if [ "$STORE" = redis ]; then STORE_PORT=$REDIS_PORT; else STORE_PORT=$MC_PORT; fi
PORT_A=${PORT_A:-8081}
PORT_B=${PORT_B:-8082}
PORT_C=${PORT_C:-8083}
RUN="$ROOT/demo-run"
AGENT="$ROOT/agent/target/session-mirror-agent.jar"
WAR="$ROOT/demo-apps/shop-webapp-jakarta/target/shop.war"
JETTY_LIB="$ROOT/demo-apps/servers/jetty-12.1-ee10/target/lib"
JETTY_LAUNCHER="$ROOT/demo-apps/jetty-launcher/target/jetty-launcher-0.1.0-SNAPSHOT.jar"
CATALINA_HOME=/usr/share/tomcat10

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
info() { echo "    $*"; }
fail() { echo "cluster.sh: $*" >&2; exit 1; }

# --- what is missing gets installed ----------------------------------------------------------------
need=()
if [ "$STORE" = redis ]; then
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
else
  command -v memcached >/dev/null 2>&1 || need+=(memcached)
fi
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x "$CATALINA_HOME/bin/catalina.sh" ] || need+=(tomcat10)
command -v tomcat10-instance-create >/dev/null 2>&1 || need+=(tomcat10-user)
command -v curl >/dev/null 2>&1 || need+=(curl)
if $TLS && ! command -v openssl >/dev/null 2>&1; then need+=(openssl); fi
if [ -n "$SCREENSHOT" ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "missing Debian packages: ${need[*]}; run as root or install them: apt-get install ${need[*]}"
    sudo="sudo"
  fi
  say "Installing ${need[*]} (apt-get)"
  $sudo apt-get update -qq || fail "apt-get update failed (no network to the Debian mirrors?); install by hand: apt-get install ${need[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null \
    || fail "could not install ${need[*]}; install them by hand (apt-get install ${need[*]}) and run again"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null 2>&1 || fail "java not found: install a JDK 17 (apt-get install openjdk-17-jdk)"
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
export JAVA_HOME

for p in "$LB_PORT" "$STORE_PORT" "$PORT_A" "$PORT_B" "$PORT_C" $((PORT_A + 10000)) $((PORT_B + 10000)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    fail "port $p is taken by another program (see: ss -ltnp 'sport = :$p'); free it, or choose other ports with LB_PORT, MEMCACHED_PORT, REDIS_PORT, PORT_A, PORT_B, PORT_C"
  fi
done

# --- build -----------------------------------------------------------------------------------------
if $BUILD; then
  command -v mvn >/dev/null 2>&1 || fail "mvn not found: install Maven (apt-get install maven)"
  say "Building the agent and the demo apps (mvn -DskipTests verify)"
  mvn -q -B -ntp -Dstyle.color=never -DskipTests verify
fi
for f in "$AGENT" "$WAR" "$JETTY_LAUNCHER" "$JETTY_LIB"; do
  [ -e "$f" ] || fail "$f is missing: build first (mvn -DskipTests verify), or run without --no-build"
done

# --- processes we start, and how they all stop -----------------------------------------------------
rm -rf "$RUN"; mkdir -p "$RUN"
declare -A PID
cleanup() {
  trap - EXIT INT TERM
  for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null || true; done
  for name in "${!PID[@]}"; do
    for _ in $(seq 1 100); do kill -0 "${PID[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -9 "${PID[$name]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'echo; say "Stopping everything (Ctrl-C)"; exit 0' INT TERM

if [ "$STORE" = redis ]; then NODES="redis://127.0.0.1:$REDIS_PORT"; else NODES="127.0.0.1:$MC_PORT"; fi
if $NON_STICKY; then
  OPTIONS="nodes=$NODES,mode=non-sticky,lock=all"
else
  OPTIONS="nodes=$NODES"
fi
TLS_DIR="$RUN/tls"
$TLS && OPTIONS="$OPTIONS,tls=true,tls.ca=$TLS_DIR/ca.pem"

# --tls: a CA of the demo's own, and a certificate it signs for the address the agents use (127.0.0.1), as an
# operator's PKI would; the agents trust only that CA and check the address against the certificate.
make_certificates() {
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
    openssl req -x509 -new -key ca.key -subj "/CN=Session Mirror demo CA" -days 30 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out memcached.key
    openssl req -new -key memcached.key -subj "/CN=localhost" -out memcached.csr
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >memcached.ext
    openssl x509 -req -in memcached.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile memcached.ext \
      -out memcached.pem
  ) >"$RUN/openssl.log" 2>&1 || fail "openssl could not make the demo certificates (see $RUN/openssl.log)"
  # memcached reads them after it has dropped to the memcache user
  [ "$(id -u)" -eq 0 ] && chown -R memcache "$TLS_DIR"
  return 0
}

start_memcached() {
  local user=()
  [ "$(id -u)" -eq 0 ] && user=(-u memcache)
  local tls=()
  $TLS && tls=(-Z -o "ssl_chain_cert=$TLS_DIR/memcached.pem,ssl_key=$TLS_DIR/memcached.key")
  memcached "${user[@]}" -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 64 "${tls[@]}" >"$RUN/memcached.log" 2>&1 &
  PID[memcached]=$!
}

# Redis as a cache: no snapshots, no append-only file, its files in demo-run/redis.
start_redis() {
  mkdir -p "$RUN/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$RUN/redis" \
    --daemonize no --logfile "$RUN/redis.log" >/dev/null 2>&1 &
  PID[redis]=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && return 0
    kill -0 "${PID[redis]}" 2>/dev/null || fail "redis-server exited at start (log: $RUN/redis.log)"
    sleep 0.1
  done
  fail "redis-server did not listen on port $REDIS_PORT (log: $RUN/redis.log)"
}

start_store() {
  if [ "$STORE" = redis ]; then start_redis; else start_memcached; fi
}

# An instance of Debian's own Tomcat 10, as an administrator makes one: tomcat10-instance-create, the war in
# webapps/, jvmRoute on the Engine (for NGINX's stickiness), and the agent in bin/setenv.sh.
make_tomcat() {
  local name=$1 port=$2 base="$RUN/$1"
  tomcat10-instance-create -p "$port" -c $((port + 10000)) "$base" >/dev/null
  cp "$WAR" "$base/webapps/shop.war"
  sed -i "s|<Engine name=\"Catalina\" defaultHost=\"localhost\">|<Engine name=\"Catalina\" defaultHost=\"localhost\" jvmRoute=\"$name\">|" \
    "$base/conf/server.xml"
  grep -q "jvmRoute=\"$name\"" "$base/conf/server.xml" || fail "could not set jvmRoute in $base/conf/server.xml"
  cat >"$base/bin/setenv.sh" <<EOF
# Session Mirror: the one line a Tomcat needs (options separated by commas: catalina.sh evals this)
CATALINA_OPTS="\$CATALINA_OPTS -javaagent:$AGENT=$OPTIONS -Ddemo.server.name=$name -Xmx256m"
EOF
}

start_tomcat() {
  local name=$1 base="$RUN/$1"
  CATALINA_HOME=$CATALINA_HOME CATALINA_BASE="$base" CATALINA_PID="$base/tomcat.pid" \
    "$CATALINA_HOME/bin/catalina.sh" run >"$RUN/$name.log" 2>&1 &
  PID[$name]=$!
}

start_jetty() {
  java -javaagent:"$AGENT=$OPTIONS" -Ddemo.server.name=jettyC -Xmx256m \
    -cp "$JETTY_LAUNCHER:$JETTY_LIB/*" io.sessionmirror.demo.launcher.JettyLauncher --port "$PORT_C" --env ee10 \
    --worker-name jettyC --app /shop="$WAR" >"$RUN/jettyC.log" 2>&1 &
  PID[jettyC]=$!
}

await_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/shop/stats" && return 0
    kill -0 "${PID[$name]}" 2>/dev/null || { tail -20 "$RUN/$name.log" >&2; fail "server $name exited at start (log: $RUN/$name.log)"; }
    sleep 0.2
  done
  tail -20 "$RUN/$name.log" >&2
  fail "server $name did not answer on port $port within 2 minutes (log: $RUN/$name.log)"
}

# NGINX with its own configuration and prefix, so it does not touch the system's nginx.
start_nginx() {
  local conf="$RUN/nginx/nginx.conf"
  mkdir -p "$RUN/nginx/logs" "$RUN/nginx/tmp"
  local pool
  if $NON_STICKY; then pool=any; else pool='$pool'; fi
  cat >"$conf" <<EOF
worker_processes 1;
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/logs/error.log;
events { worker_connections 256; }
http {
    access_log $RUN/nginx/logs/access.log;
    client_body_temp_path $RUN/nginx/tmp/body;
    proxy_temp_path $RUN/nginx/tmp/proxy;
    fastcgi_temp_path $RUN/nginx/tmp/fastcgi;
    uwsgi_temp_path $RUN/nginx/tmp/uwsgi;
    scgi_temp_path $RUN/nginx/tmp/scgi;

    # Sticky by route: the part of JSESSIONID after the last dot names the server that holds the session
    # (Tomcat's jvmRoute, Jetty's worker name). Its pool lists that server first and the others as backups,
    # so when it is down NGINX moves on, and the survivor's new cookie (new route) keeps the user there.
    map \$cookie_JSESSIONID \$route {
        ~\.(?<r>[A-Za-z0-9_-]+)\$ \$r;
        default "";
    }
    map \$route \$pool {
        tomcatA tomcatA;
        tomcatB tomcatB;
        jettyC  jettyC;
        default any;
    }
    upstream tomcatA { server 127.0.0.1:$PORT_A max_fails=1 fail_timeout=10s; server 127.0.0.1:$PORT_B backup; server 127.0.0.1:$PORT_C backup; }
    upstream tomcatB { server 127.0.0.1:$PORT_B max_fails=1 fail_timeout=10s; server 127.0.0.1:$PORT_A backup; server 127.0.0.1:$PORT_C backup; }
    upstream jettyC  { server 127.0.0.1:$PORT_C max_fails=1 fail_timeout=10s; server 127.0.0.1:$PORT_A backup; server 127.0.0.1:$PORT_B backup; }
    upstream any     { server 127.0.0.1:$PORT_A max_fails=1 fail_timeout=10s; server 127.0.0.1:$PORT_B max_fails=1 fail_timeout=10s; server 127.0.0.1:$PORT_C max_fails=1 fail_timeout=10s; }

    server {
        listen 127.0.0.1:$LB_PORT;
        location / {
            proxy_pass http://$pool;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 1s;
            proxy_set_header Host \$host:\$server_port;
            add_header X-Upstream \$upstream_addr always;
        }
    }
}
EOF
  "$NGINX" -t -p "$RUN/nginx" -c "$conf" >"$RUN/nginx/logs/configtest.log" 2>&1 \
    || { cat "$RUN/nginx/logs/configtest.log" >&2; fail "nginx rejected $conf"; }
  "$NGINX" -p "$RUN/nginx" -c "$conf" -g 'daemon off;' >"$RUN/nginx/logs/stdout.log" 2>&1 &
  PID[nginx]=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$LB_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nginx did not listen on port $LB_PORT (log: $RUN/nginx/logs/error.log)"
}

# --- start -----------------------------------------------------------------------------------------
MODE_TEXT="sticky by route"
$NON_STICKY && MODE_TEXT="round robin (agent mode=non-sticky, lock=all)"
$TLS && make_certificates
say "Starting the cluster: $STORE :$STORE_PORT$($TLS && echo ' (TLS only)'), Tomcat tomcatA :$PORT_A and tomcatB :$PORT_B (Debian tomcat10),"
info "Jetty jettyC :$PORT_C, NGINX :$LB_PORT ($MODE_TEXT); every server has -javaagent:session-mirror-agent.jar=$OPTIONS"
start_store
make_tomcat tomcatA "$PORT_A"
make_tomcat tomcatB "$PORT_B"
start_tomcat tomcatA
start_tomcat tomcatB
start_jetty
await_ready tomcatA "$PORT_A"
await_ready tomcatB "$PORT_B"
await_ready jettyC "$PORT_C"
start_nginx
info "all up: $STORE pid ${PID[$STORE]}, tomcatA pid ${PID[tomcatA]}, tomcatB pid ${PID[tomcatB]}, jettyC pid ${PID[jettyC]}, nginx pid ${PID[nginx]}"

# --- the scenario ----------------------------------------------------------------------------------
COOKIES="$RUN/cookies.txt"
LB="http://127.0.0.1:$LB_PORT/shop"
FAILED=0
# request PATH: one request of our user through NGINX; the shop's key=value answer is kept in $ANSWER.
request() {
  if ANSWER=$(curl -fsS --max-time 30 -b "$COOKIES" -c "$COOKIES" "$LB$1"); then
    return 0
  fi
  FAILED=$((FAILED + 1))
  ANSWER=""
  return 1
}
fact() { printf '%s\n' "$ANSWER" | sed -n "s/^$1=//p"; }
cookie() { awk '$6 == "JSESSIONID" { v = $7 } END { print v }' "$COOKIES"; }
strip_route() { echo "${1%%.*}"; }

say "1. A user opens the shop through NGINX ($LB/) and fills a cart"
request "/cart/add?item=apple&format=text"
request "/cart/add?item=coffee&format=text"
request "/counter?format=text"
SERVED_BEFORE=$(fact server)
COOKIE_BEFORE=$(cookie)
CART_BEFORE=$(fact attr.cart)
info "answered by:      $SERVED_BEFORE"
info "session cookie:   JSESSIONID=$COOKIE_BEFORE"
info "cart:             $CART_BEFORE, visits $(fact attr.visits)"
sleep 1 # the agent writes to the store after the response (write=async), in the background

VICTIM=$SERVED_BEFORE
[ -n "${PID[$VICTIM]:-}" ] || fail "the shop answered with an unknown server name '$VICTIM'"
say "2. $VICTIM, the server holding the session, dies: kill -9 ${PID[$VICTIM]}"
kill -9 "${PID[$VICTIM]}"
wait "${PID[$VICTIM]}" 2>/dev/null || true

say "3. The user's next request goes through NGINX as before"
request "/session"
SERVED_AFTER=$(fact server)
ID_AFTER=$(fact id)
CART_AFTER=$(fact attr.cart)
COOKIE_AFTER=$(cookie)
info "answered by:      $SERVED_AFTER"
info "session cookie:   JSESSIONID=$COOKIE_AFTER"
info "session id:       $ID_AFTER (new: $(fact new))"
info "cart:             $CART_AFTER, visits $(fact attr.visits)"

say "4. The user keeps shopping"
request "/cart/add?item=bread&format=text"
SERVED_NEXT=$(fact server)
CART_NEXT=$(fact attr.cart)
info "answered by:      $SERVED_NEXT"
info "cart:             $CART_NEXT"

say "5. $VICTIM comes back"
if [ "$VICTIM" = jettyC ]; then start_jetty; else start_tomcat "$VICTIM"; fi
case "$VICTIM" in tomcatA) await_ready tomcatA "$PORT_A" ;; tomcatB) await_ready tomcatB "$PORT_B" ;; jettyC) await_ready jettyC "$PORT_C" ;; esac
info "$VICTIM is up again (pid ${PID[$VICTIM]})"
request "/session"
SERVED_LAST=$(fact server)
CART_LAST=$(fact attr.cart)
info "the user's next request: answered by $SERVED_LAST, cart $CART_LAST"

SAME_SESSION=no
[ "$(strip_route "$COOKIE_BEFORE")" = "$(strip_route "$COOKIE_AFTER")" ] && [ -n "$COOKIE_AFTER" ] && SAME_SESSION=yes
say "Result"
info "served before the failure:  $SERVED_BEFORE"
info "served after the failure:   $SERVED_AFTER"
info "same session:               $SAME_SESSION ($COOKIE_BEFORE -> $COOKIE_AFTER; the route part names the server)"
info "cart before:                $CART_BEFORE"
info "cart after:                 $CART_AFTER"
info "failed requests:            $FAILED"
if [ "$SAME_SESSION" = yes ] && [ "$SERVED_AFTER" != "$VICTIM" ] && [ -n "$SERVED_AFTER" ] \
   && [ "$CART_AFTER" = "$CART_BEFORE" ] && [ "$CART_NEXT" = "[apple, coffee, bread]" ] \
   && [ "$CART_LAST" = "[apple, coffee, bread]" ] && [ "$FAILED" -eq 0 ]; then
  info "FAILOVER OK: $SERVED_AFTER carried on with the user's session; the user noticed nothing."
else
  echo "    FAILOVER FAILED: see the logs in $RUN" >&2
  exit 1
fi

if [ -n "$SCREENSHOT" ]; then
  say "Screenshot of the shop page after the failover: $SCREENSHOT"
  SID=$(cookie)
  PROFILE=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$PROFILE" \
    --window-size=1000,340 --screenshot="$SCREENSHOT" "$LB/;jsessionid=$SID" >"$RUN/chromium.log" 2>&1 \
    || { rm -rf "$PROFILE"; fail "chromium could not take the screenshot (log: $RUN/chromium.log)"; }
  rm -rf "$PROFILE"
  info "saved $SCREENSHOT"
fi

if $SCENARIO_ONLY; then exit 0; fi
say "The cluster keeps running. Try it in a browser:"
info "$LB/                       through NGINX (the page says which server answered)"
info "http://127.0.0.1:$PORT_A/shop/, :$PORT_B/shop/, :$PORT_C/shop/   each server directly"
info "Add items, then kill the server named on the page (kill -9 <pid>, pids above) and reload: another"
info "server answers with the same cart. Logs: $RUN/. Ctrl-C stops everything."
while true; do sleep 1; done
