#!/usr/bin/env bash
# The server benchmark, one command: installs what is missing (memcached, wrk), builds if needed, then runs
# no agent / Session Mirror async / Session Mirror sync / msm 2.3.2 (Java, Kryo) interleaved on the same
# Tomcat 9, demo shop and memcached, and writes demo-run/benchmark/results.md and benchmark-chart.png.
# With --lifecycle it runs the lifecycle benchmark instead: start-up with and without the agent, the first
# request after a failover, attach + export of existing sessions; it writes demo-run/benchmark/lifecycle.md.
# With --heap it measures the heap the agent keeps per mirrored session (class histograms with and without the
# agent); it writes demo-run/benchmark/heap.md and the histograms next to it.
# With --redis it runs the server benchmark against the Redis-side anchor instead: Tomcat 10.1, the jakarta demo
# shop and one redis-server (no persistence), with no agent / Redisson's Tomcat session manager (two modes) /
# Session Mirror async and sync on redis://; it writes demo-run/benchmark/redis-results.md.
#
#   benchmarks/run.sh [--seconds 15] [--warmup 5] [--rounds 2] [--connections 16] [--sessions 32]
#                     [--cold-sessions 10000] [--no-latency] [--smoke]
#   benchmarks/run.sh --lifecycle [--rounds 5] [--sessions 2000] [--warmup 500] [--export-sessions 10000] [--smoke]
#   benchmarks/run.sh --heap [--sessions 100000] [--warm 1000] [--smoke]
#   benchmarks/run.sh --redis [--seconds 15] [--warmup 5] [--rounds 2] [--connections 16] [--sessions 32]
#                     [--configs none,redisson,redisson_memory,sm_async,sm_sync] [--smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
main=ServerBenchmark
args=()
for a in "$@"; do
  case "$a" in
    --lifecycle) main=LifecycleBenchmark ;;
    --heap) main=HeapPerSession ;;
    --redis) main=RedisBenchmark ;;
    *) args+=("$a") ;;
  esac
done
need=()
if [ "$main" = RedisBenchmark ]; then
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
else
  command -v memcached >/dev/null 2>&1 || need+=(memcached)
fi
# Only the server benchmarks drive load with wrk.
case "$main" in ServerBenchmark|RedisBenchmark) command -v wrk >/dev/null 2>&1 || need+=(wrk) ;; esac
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -d benchmarks/target/msm ] || [ ! -f agent/target/session-mirror-agent.jar ] \
   || [ ! -d benchmarks/target/tomcat10 ] || [ ! -d demo-apps/servers/redisson-tomcat-10/target/lib ]; then
  mvn -B -ntp -q -DskipTests package
fi
exec java -cp benchmarks/target/benchmarks.jar "io.sessionmirror.benchmarks.$main" --root . "${args[@]}"
