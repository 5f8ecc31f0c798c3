package io.sessionmirror.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Markdown of the Redis benchmark: per workload a table (requests/s, the ratios to no agent and to both Redisson
 * modes, p50/p99, Redis commands and bytes per request, CPU per request) and the Redis commands each configuration
 * sent per request, which is what explains the differences.
 */
final class RedisReport {

    private final String header;
    private final List<RedisBenchmark.Result> results;

    RedisReport(String header, List<RedisBenchmark.Result> results) {
        this.header = header;
        this.results = results;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder(header).append("\n\n");
        Set<ServerBenchmark.Workload> workloads = new LinkedHashSet<>();
        for (RedisBenchmark.Result r : results) {
            workloads.add(r.workload);
        }
        for (ServerBenchmark.Workload w : workloads) {
            Map<RedisBenchmark.Config, RedisBenchmark.Result> by = RedisBenchmark.of(results, w);
            RedisBenchmark.Result base = by.get(RedisBenchmark.Config.NONE);
            RedisBenchmark.Result redisson = by.get(RedisBenchmark.Config.REDISSON);
            RedisBenchmark.Result memory = by.get(RedisBenchmark.Config.REDISSON_MEMORY);
            sb.append("**").append(w.label).append("** (`").append(w.path).append("`)\n\n");
            sb.append("| configuration | requests/s | vs no agent | vs Redisson (REDIS, DEFAULT) | vs Redisson (MEMORY,"
                    + " AFTER_REQUEST) | p50 ms | p99 ms | Redis commands/request | bytes to Redis/request | server CPU"
                    + " µs/request | of which replication threads | redis-server CPU µs/request |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (RedisBenchmark.Result r : by.values()) {
                sb.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %s | %.2f | %.2f | %.2f | %.0f | %.1f | %.1f"
                        + " | %.1f |%n", r.config.label, r.rps, ratio(r, base), ratio(r, redisson), ratio(r, memory),
                        r.p50Millis, r.p99Millis, r.commandsPerRequest, r.bytesPerRequest, r.serverCpuMicros,
                        r.replicationCpuMicros, r.redisCpuMicros));
            }
            sb.append("\nRedis commands per request:\n\n");
            for (RedisBenchmark.Result r : by.values()) {
                if (r.config != RedisBenchmark.Config.NONE) {
                    sb.append("- ").append(r.config.label).append(": ").append(commands(r)).append('\n');
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** E.g. {@code hset 2.00, pexpire 2.00, hget 1.00}: the commands of one result, most frequent first. */
    static String commands(RedisBenchmark.Result r) {
        List<Map.Entry<String, Double>> entries = new ArrayList<>(r.commands.entrySet());
        entries.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Double> e : entries) {
            if (e.getValue() >= 0.005) {
                parts.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()));
            }
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String ratio(RedisBenchmark.Result r, RedisBenchmark.Result base) {
        return base == null || base.rps == 0 ? "-" : String.format(Locale.ROOT, "%.2f×", r.rps / base.rps);
    }
}
