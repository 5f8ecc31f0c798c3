package io.sessionmirror.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The cold-sessions workload of {@link ServerBenchmark}: many sessions (10,000 by default), each request on another
 * one, so that no two requests of a session come close enough for an asynchronous writer to merge their writes.
 * What it costs per memcached write is then the cost of one write, not of a share of one.
 */
final class ColdSessions {

    /** Threads creating the sessions: the server has two cores, more would only queue. */
    static final int CREATE_THREADS = 4;

    private ColdSessions() {
    }

    /** The item put in each cold session's cart: with the cart and the session around it, about 2 KB stored. */
    private static final String PAD = "x".repeat(1900);

    /**
     * Creates {@code n} sessions of about 2 KB, one request each (a cart holding one 1,900-character item, as in
     * {@link LifecycleBenchmark}: about 2,100 bytes stored, like the 40-item carts of the hot workloads), from
     * {@link #CREATE_THREADS} keep-alive connections; writes their ids to {@code file}, one a line.
     */
    static Path create(int port, int n, Path file) throws Exception {
        String[] ids = create(port, n, i -> "/shop/cart/add?format=text&item=c" + i + "-" + PAD);
        Files.write(file, Arrays.asList(ids));
        return file;
    }

    /**
     * Creates {@code n} sessions, session i by one GET of {@code pathOf(i)} without a cookie, from
     * {@link #CREATE_THREADS} keep-alive connections at once; returns their ids.
     */
    static String[] create(int port, int n, IntFunction<String> pathOf) throws Exception {
        String[] ids = new String[n];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < CREATE_THREADS; t++) {
                done.add(pool.submit(() -> {
                    try (LifecycleBenchmark.Http client = new LifecycleBenchmark.Http(port)) {
                        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                            LifecycleBenchmark.Response r = client.get(pathOf.apply(i), null);
                            ids[i] = r.sessionCookie();
                            if (r.status != 200 || ids[i] == null) {
                                throw new IllegalStateException("creating session " + i + ": HTTP " + r.status
                                        + ", cookie " + ids[i]);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return ids;
    }

    /**
     * The wrk script: of T threads, thread t sends sessions t, t + T, t + 2T, ... (T from BENCH_STRIDE), so every
     * request has another session and the threads never send the same one at the same time (the hot workloads'
     * script starts every thread at the first session).
     */
    static Path script(Path dir) throws Exception {
        Path script = dir.resolve("cold-sessions.lua");
        Files.write(script, ("local ids = {}\nfor line in io.lines(os.getenv(\"BENCH_COOKIES\")) do ids[#ids + 1] = line end\n"
                + "local stride = tonumber(os.getenv(\"BENCH_STRIDE\"))\nlocal threads = 0\n"
                + "function setup(thread)\n  thread:set(\"first\", threads)\n  threads = threads + 1\nend\n"
                + "local n = nil\nrequest = function()\n  if n == nil then n = first else n = n + stride end\n"
                + "  return wrk.format(nil, nil, {[\"Cookie\"] = \"JSESSIONID=\" .. ids[(n % #ids) + 1]})\nend\n")
                .getBytes(StandardCharsets.UTF_8));
        return script;
    }

    /** The Markdown section for the cold workload: requests/s and ratios, then CPU per request and per write. */
    static String report(List<ServerBenchmark.Result> results, ServerBenchmark.Workload cold, int sessions) {
        ServerBenchmark.Result base = find(results, ServerBenchmark.Config.NONE, cold);
        ServerBenchmark.Result msm = find(results, ServerBenchmark.Config.MSM_JAVA, cold);
        StringBuilder sb = new StringBuilder();
        sb.append("**").append(cold.label).append("** (`").append(cold.path).append("`)\n\n");
        sb.append(String.format(Locale.ROOT, "%,d sessions of about 2 KB per server, each request on the next one (wrk's"
                + " two threads take alternate sessions): nothing for an asynchronous writer to merge. Writes are"
                + " memcached's `cmd_set` delta. msm with Kryo is not run here: it stores nothing on JDK 17.%n%n", sessions));
        sb.append("| configuration | requests/s | vs no agent | vs msm (Java) | p50 ms | p99 ms | memcached sets/request |"
                + " server CPU µs/request | of which replication threads | server CPU µs/write | memcached CPU µs/write |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ServerBenchmark.Config c : ServerBenchmark.Config.values()) {
            ServerBenchmark.Result r = find(results, c, cold);
            if (r == null) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %.2f | %.2f | %.2f | %.1f | %.1f | %s | %s |%n",
                    c.label, r.rps, ratio(r, base), ratio(r, msm), r.p50Millis, r.p99Millis, r.setsPerRequest,
                    r.serverCpuMicros, r.replicationCpuMicros, perWrite(r.serverCpuMicros, r),
                    perWrite(r.memcachedCpuMicros, r)));
        }
        return sb.append('\n').toString();
    }

    /** CPU per write from CPU per request: divided by the writes per request ("-" where nothing was written). */
    private static String perWrite(double microsPerRequest, ServerBenchmark.Result r) {
        return r.setsPerRequest < 0.01 ? "-" : String.format(Locale.ROOT, "%.1f", microsPerRequest / r.setsPerRequest);
    }

    private static String ratio(ServerBenchmark.Result r, ServerBenchmark.Result base) {
        return base == null || base.rps == 0 ? "-" : String.format(Locale.ROOT, "%.2f×", r.rps / base.rps);
    }

    private static ServerBenchmark.Result find(List<ServerBenchmark.Result> results, ServerBenchmark.Config c,
                                               ServerBenchmark.Workload w) {
        for (ServerBenchmark.Result r : results) {
            if (r.config == c && r.workload == w) {
                return r;
            }
        }
        return null;
    }
}
