package io.sessionmirror.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The constant-rate latency part of {@link ServerBenchmark}: the 2 KB write workload at half the requests/s that no
 * agent made with wrk in round 1 of the same run (the saturation), sent by {@link FixedRateDriver} to every
 * configuration; p50, p99, p99.9 per configuration and p99 against no agent.
 */
final class ConstantRateLatency {

    private final int connections;
    private final int warmupSeconds;
    private final int seconds;
    /** Requests/s of no agent on the 2 KB write workload in round 1; 0 until measured. */
    private double saturation;
    private final Map<ServerBenchmark.Config, List<FixedRateDriver.Result>> runs = new LinkedHashMap<>();

    ConstantRateLatency(int connections, int warmupSeconds, int seconds) {
        this.connections = connections;
        this.warmupSeconds = warmupSeconds;
        this.seconds = seconds;
    }

    void saturation(double requestsPerSecond) {
        saturation = requestsPerSecond;
    }

    boolean hasRate() {
        return saturation > 0;
    }

    /** A warm-up at the constant rate, then the measured run, on the sessions listed in {@code cookies}. */
    void measure(ServerBenchmark.Config c, int round, int port, String path, Path cookies) throws Exception {
        List<String> ids = Files.readAllLines(cookies);
        double rate = saturation / 2;
        FixedRateDriver.run(port, path, ids, rate, connections, warmupSeconds);
        FixedRateDriver.Result r = FixedRateDriver.run(port, path, ids, rate, connections, seconds);
        runs.computeIfAbsent(c, k -> new ArrayList<>()).add(r);
        System.out.printf(Locale.ROOT, "round %d  %-22s constant rate %.0f req/s (answered %.0f/s): p50 %.2f ms  p99 %.2f ms"
                + "  p99.9 %.2f ms  errors %d%n", round, c.label, rate, r.achievedRate(), r.percentileMillis(0.5),
                r.percentileMillis(0.99), r.percentileMillis(0.999), r.errors);
    }

    /** Per configuration, every round pooled. */
    Map<ServerBenchmark.Config, FixedRateDriver.Result> pooled() {
        Map<ServerBenchmark.Config, FixedRateDriver.Result> pooled = new LinkedHashMap<>();
        runs.forEach((c, list) -> pooled.put(c, FixedRateDriver.Result.pool(list)));
        return pooled;
    }

    /** The Markdown section: one row per configuration, p99 against the first row's (no agent). */
    String report(String path) {
        Map<ServerBenchmark.Config, FixedRateDriver.Result> results = pooled();
        StringBuilder sb = new StringBuilder();
        FixedRateDriver.Result base = results.get(ServerBenchmark.Config.NONE);
        FixedRateDriver.Result any = results.values().stream().findFirst().orElse(null);
        sb.append("**latency at a constant rate, write every request, 2 KB session** (`").append(path).append("`)\n\n");
        if (any == null) {
            return sb.append("Not measured.\n\n").toString();
        }
        sb.append(String.format(Locale.ROOT, "Open loop at %.0f requests/s (50%% of the %.0f requests/s of no agent with wrk"
                + " in this run), %d keep-alive connections of a Java client, each request timed from when it was due"
                + " (a late send counts as latency); %.0f s per configuration and round, after %d s unmeasured at the"
                + " same rate; all rounds pooled. A request is sent late when the previous one on its connection is"
                + " still unanswered or the client itself is late (last column).%n%n",
                any.targetRate, saturation, any.connections, any.seconds / Math.max(1, any.runs), warmupSeconds));
        sb.append("| configuration | requests/s answered | requests | errors | p50 ms | p99 ms | p99.9 ms | max ms |"
                + " p99 − no agent, ms | sent late by, p99 ms |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (ServerBenchmark.Config c : ServerBenchmark.Config.values()) {
            FixedRateDriver.Result r = results.get(c);
            if (r == null) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %d | %d | %.2f | %.2f | %.2f | %.2f | %s | %.2f |%n", c.label,
                    r.achievedRate(), r.requests, r.errors, r.percentileMillis(0.5), r.percentileMillis(0.99),
                    r.percentileMillis(0.999), r.percentileMillis(1.0),
                    base == null ? "-" : String.format(Locale.ROOT, "%+.2f", r.percentileMillis(0.99)
                            - base.percentileMillis(0.99)),
                    LifecycleBenchmark.percentileMillis(r.sendDelayNanos, 0.99)));
        }
        return sb.append('\n').toString();
    }
}
