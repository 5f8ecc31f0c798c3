#!/usr/bin/env bash
# The server benchmark, one command: installs what is missing (memcached, wrk), builds if needed, then runs
# no agent / Session Mirror async / Session Mirror sync / msm 2.3.2 (Java, Kryo) interleaved on the same
# Tomcat 9, demo shop and memcached, and writes demo-run/benchmark/results.md and benchmark-chart.png.
# With --lifecycle it runs the lifecycle benchmark instead: start-up with and without the agent, the first
# request after a failover, attach + export of existing sessions; it writes demo-run/benchmark/lifecycle.md.
# With --heap it measures the heap the agent keeps per mirrored session (class histograms with and without the
# agent); it writes demo-run/benchmark/heap.md and the histograms next to it.
#
#   benchmarks/run.sh [--seconds 15] [--warmup 5] [--rounds 2] [--connections 16] [--sessions 32]
#                     [--cold-sessions 10000] [--no-latency] [--smoke]
#   benchmarks/run.sh --lifecycle [--rounds 5] [--sessions 2000] [--warmup 500] [--export-sessions 10000] [--smoke]
#   benchmarks/run.sh --heap [--sessions 100000] [--warm 1000] [--smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
main=ServerBenchmark
args=()
for a in "$@"; do
  case "$a" in
    --lifecycle) main=LifecycleBenchmark ;;
    --heap) main=HeapPerSession ;;
    *) args+=("$a") ;;
  esac
done
need=()
command -v memcached >/dev/null 2>&1 || need+=(memcached)
# Only the server benchmark drives load with wrk.
[ "$main" != ServerBenchmark ] || command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -d benchmarks/target/msm ] || [ ! -f agent/target/session-mirror-agent.jar ]; then
  mvn -B -ntp -q -DskipTests package
fi
exec java -cp benchmarks/target/benchmarks.jar "io.sessionmirror.benchmarks.$main" --root . "${args[@]}"
