package io.sessionmirror.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the agent costs at the edges of a server's life, on the same embedded Tomcat 9, demo shop and real
 * memcached as {@link ServerBenchmark}:
 * <ol>
 *   <li>start-up: launch to the first HTTP 200 of /shop/stats, without and with {@code -javaagent}, interleaved;</li>
 *   <li>failover: sessions created on server A, A killed, then on server B the latency of each session's first
 *       request (B loads it from memcached) against a second, ordinary request;</li>
 *   <li>attach + export: a server started without the agent and holding many sessions is given the agent with
 *       {@code java -jar session-mirror-agent.jar attach <pid>}; how long until memcached holds every session.</li>
 * </ol>
 * Writes {@code lifecycle.md} (tables, targets met or missed) to the output directory and prints it.
 * <pre>
 *   benchmarks/run.sh --lifecycle [--rounds 5] [--sessions 2000] [--warmup 500] [--export-sessions 10000] [--smoke]
 * </pre>
 */
public final class LifecycleBenchmark {

    /** The item put in each session's cart: with the cart and the session around it, about 2 KB stored. */
    private static final String PAD = "x".repeat(1900);
    /** How often start-up is polled; the start-up figures are exact to about this. */
    private static final long STARTUP_POLL_MILLIS = 20;
    private static final long STARTUP_TARGET_MILLIS = 1000;
    private static final double FAILOVER_TARGET_MILLIS = 2.0;
    /** Our reading of "a few seconds" for the attach-and-export target. */
    private static final long EXPORT_TARGET_MILLIS = 5000;
    /** Threads creating the sessions of the export part (the server has two cores; more only queue). */
    private static final int CREATE_THREADS = 4;

    static final class Startup {
        final List<Double> withoutMillis = new ArrayList<>();
        final List<Double> withMillis = new ArrayList<>();
    }

    static final class Failover {
        int sessions;
        int restored;
        final List<String> failures = new ArrayList<>();
        long[] firstNanos;
        long[] normalNanos;
        /** Connections the client on B opened (Tomcat closes a keep-alive connection after 100 requests). */
        int connections;
        /** B's agent's own count and mean time of loads, from its summary at shutdown, or null. */
        String agentLoads;
    }

    static final class Export {
        int created;
        long createMillis;
        long itemsBeforeAttach;
        int attachExitCode;
        long attachWallMillis;
        /** From the launch of the attach command until memcached held every session; -1: never. */
        long allExportedMillis = -1;
        long itemsInMemcached;
        String attachOutput = "";
        /** The agent's own figures, from the attach command's output. */
        long agentAttachMillis = -1;
        long agentExported = -1;
        long agentFound = -1;
        long agentExportMillis = -1;
        /** The agent's "Exported ..." line in the server log, or null. */
        String serverLogLine;
    }

    static final class Results {
        Startup startup;
        Failover failover;
        Export export;
    }

    private final Path root;
    private final Path out;
    private final Path work;
    private final int rounds;
    private final int sessions;
    private final int warmup;
    private final int exportSessions;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LifecycleBenchmark(Path root, Path out, int rounds, int sessions, int warmup, int exportSessions) {
        this.root = root;
        this.out = out;
        this.work = out.resolve("lifecycle");
        this.rounds = rounds;
        this.sessions = sessions;
        this.warmup = warmup;
        this.exportSessions = exportSessions;
    }

    public static void main(String[] args) throws Exception {
        Path root = Paths.get(".");
        Path out = null;
        int rounds = 5;
        int sessions = 2000;
        int warmup = 500;
        int exportSessions = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root": root = Paths.get(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--sessions": sessions = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--export-sessions": exportSessions = Integer.parseInt(args[++i]); break;
                case "--smoke": rounds = 1; sessions = 20; warmup = 5; exportSessions = 200; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; accepted: --root DIR --out DIR --rounds N --sessions N --warmup N --export-sessions N --smoke");
            }
        }
        root = root.toAbsolutePath().normalize();
        if (out == null) {
            out = root.resolve("demo-run/benchmark");
        }
        LifecycleBenchmark b = new LifecycleBenchmark(root, out, rounds, sessions, warmup, exportSessions);
        System.out.println(b.report(b.run()));
    }

    Results run() throws Exception {
        ServerBenchmark.requireBuilt(root, ServerBenchmark.AGENT_JAR, ServerBenchmark.LAUNCHER_JAR, ServerBenchmark.SHOP_WAR,
                ServerBenchmark.TOMCAT9_DIR);
        Files.createDirectories(out);
        delete(work);
        Results r = new Results();
        r.startup = startup();
        r.failover = failover();
        r.export = export();
        Files.write(out.resolve("lifecycle.md"), report(r).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    // ---------------------------------------------------------------- 1. start-up

    private Startup startup() throws Exception {
        Startup s = new Startup();
        int mcPort = ServerBenchmark.freePort();
        Process memcached = ServerBenchmark.startMemcached(mcPort);
        try {
            // One unmeasured pair first: the first start of all reads the jars from disk and would penalise
            // whichever configuration happens to go first.
            timeStart(false, "startup-warmup-none", mcPort);
            timeStart(true, "startup-warmup-agent", mcPort);
            for (int round = 1; round <= rounds; round++) {
                s.withoutMillis.add(timeStart(false, "startup-" + round + "-none", mcPort));
                s.withMillis.add(timeStart(true, "startup-" + round + "-agent", mcPort));
                System.out.printf(Locale.ROOT, "start-up round %d: no agent %.0f ms, agent %.0f ms%n", round,
                        s.withoutMillis.get(round - 1), s.withMillis.get(round - 1));
            }
        } finally {
            stop(memcached);
        }
        return s;
    }

    /** Milliseconds from launching the server to the first 200 of /shop/stats; the server is stopped again. */
    private double timeStart(boolean agent, String name, int mcPort) throws Exception {
        Path dir = fresh(work.resolve(name)); // a fresh base: every start unpacks the war, as a first start does
        int port = ServerBenchmark.freePort();
        List<String> cmd = ServerBenchmark.tomcatCommand(root, agent ? List.of(agentFlag(mcPort)) : List.of(), null, port,
                dir, List.of());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            ServerBenchmark.awaitStarted(http, p, port, STARTUP_POLL_MILLIS, name, dir.resolve("server.log"));
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            stop(p);
        }
    }

    private String agentFlag(int mcPort) {
        return "-javaagent:" + root.resolve(ServerBenchmark.AGENT_JAR) + "=nodes=127.0.0.1:" + mcPort + ",write=async";
    }

    // ---------------------------------------------------------------- 2. failover

    private Failover failover() throws Exception {
        Failover f = new Failover();
        f.sessions = sessions;
        int total = warmup + sessions;
        int mcPort = ServerBenchmark.freePort();
        Process memcached = ServerBenchmark.startMemcached(mcPort);
        Process a = null;
        Process b = null;
        try {
            int portA = ServerBenchmark.freePort();
            int portB = ServerBenchmark.freePort();
            a = startServer("failover-a", portA, List.of(agentFlag(mcPort), "-Ddemo.server.name=a"));
            b = startServer("failover-b", portB, List.of(agentFlag(mcPort), "-Ddemo.server.name=b"));
            String[] ids = new String[total];
            try (Http client = new Http(portA)) {
                for (int i = 0; i < total; i++) {
                    ids[i] = createSession(client, "f" + i);
                }
            }
            long items = awaitItems(mcPort, total, 60_000);
            if (items < total) {
                throw new IllegalStateException("after 60 s memcached holds " + items + " items, not the " + total
                        + " sessions created on A; see " + work.resolve("failover-a/server.log"));
            }
            a.destroyForcibly(); // SIGKILL: no shutdown hook, no flush; what memcached holds is all B can find
            a.waitFor(10, TimeUnit.SECONDS);

            f.firstNanos = new long[sessions];
            f.normalNanos = new long[sessions];
            // Every connection's first request is an unmeasured /shop/stats, so that no measured request pays
            // for a new connection (they would all land on first requests: 100 per connection is even).
            try (Http client = new Http(portB, "/shop/stats")) {
                for (int i = 0; i < total; i++) {
                    boolean measured = i >= warmup; // the first ones warm up B's JIT on the restore path
                    Response first = client.get("/shop/session", ids[i]);
                    String problem = restoreProblem(first, ids[i], "f" + i);
                    Response normal = client.get("/shop/session", ids[i]);
                    if (problem == null) {
                        problem = restoreProblem(normal, ids[i], "f" + i);
                        problem = problem == null ? null : "second request: " + problem;
                    }
                    if (!measured) {
                        continue;
                    }
                    int m = i - warmup;
                    f.firstNanos[m] = first.nanos;
                    f.normalNanos[m] = normal.nanos;
                    if (problem == null) {
                        f.restored++;
                    } else {
                        f.failures.add("session " + m + " (" + ids[i] + "): " + problem);
                    }
                }
                f.connections = client.connections;
            }
            stop(b); // a graceful stop: the agent logs its summary, which has its own count and time of loads
            Matcher loads = Pattern.compile("loads \\d+ hit / \\d+ miss \\(avg [0-9.]+ us\\)").matcher(
                    new String(Files.readAllBytes(work.resolve("failover-b/server.log")), StandardCharsets.UTF_8));
            f.agentLoads = loads.find() ? loads.group() : null;
            System.out.printf(Locale.ROOT, "failover: %d of %d sessions restored on B; p99 first %.2f ms, normal %.2f ms%n",
                    f.restored, sessions, percentileMillis(f.firstNanos, 0.99), percentileMillis(f.normalNanos, 0.99));
        } finally {
            stop(a);
            stop(b);
            stop(memcached);
        }
        return f;
    }

    /**
     * Null when the response shows the session restored: the same id, the cart created on A, server B answering and
     * no cookie with another id (a new session). Otherwise what is wrong.
     */
    static String restoreProblem(Response r, String id, String marker) {
        if (r.status != 200) {
            return "HTTP " + r.status;
        }
        String cookie = r.sessionCookie();
        if (cookie != null && !cookie.equals(id)) {
            return "a new session cookie " + cookie;
        }
        Map<String, String> facts = new HashMap<>();
        for (String line : r.body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                facts.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        if (!"b".equals(facts.get("server"))) {
            return "answered by server " + facts.get("server");
        }
        if (!id.equals(facts.get("id"))) {
            return "session " + facts.getOrDefault("id", "none") + " instead of " + id;
        }
        String cart = facts.getOrDefault("attr.cart", "");
        if (!cart.startsWith("[" + marker + "-x")) {
            return "the cart is " + (cart.length() > 40 ? cart.substring(0, 40) + "..." : cart);
        }
        return null;
    }

    // ---------------------------------------------------------------- 3. attach + export

    private Export export() throws Exception {
        Export e = new Export();
        int mcPort = ServerBenchmark.freePort();
        Process memcached = ServerBenchmark.startMemcached(mcPort);
        Process server = null;
        try {
            int port = ServerBenchmark.freePort();
            server = startServer("export", port, List.of()); // no agent
            long t0 = System.nanoTime();
            e.created = createSessionsConcurrently(port, exportSessions);
            e.createMillis = (System.nanoTime() - t0) / 1_000_000;
            e.itemsBeforeAttach = ServerBenchmark.memcachedStats(mcPort).getOrDefault("curr_items", 0L);

            Path attachLog = work.resolve("export/attach.log");
            List<String> cmd = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    root.resolve(ServerBenchmark.AGENT_JAR).toString(), "attach", String.valueOf(server.pid()),
                    "nodes=127.0.0.1:" + mcPort);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(attachLog.toFile());
            long start = System.nanoTime();
            Process attach = pb.start();
            // The exit time is taken by the process reaper, not by the 20 ms polling loop below.
            CompletableFuture<Long> exited = attach.onExit().thenApply(p -> System.nanoTime());
            long deadline = start + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline) {
                long items = ServerBenchmark.memcachedStats(mcPort).getOrDefault("curr_items", 0L);
                if (items >= e.created && e.allExportedMillis < 0) {
                    e.allExportedMillis = (System.nanoTime() - start) / 1_000_000;
                }
                if (exited.isDone() && (e.allExportedMillis >= 0
                        || System.nanoTime() - exited.get() > TimeUnit.SECONDS.toNanos(30))) {
                    break;
                }
                Thread.sleep(20);
            }
            if (!exited.isDone()) {
                attach.destroyForcibly();
                throw new IllegalStateException("the attach command did not finish within 180 s; see " + attachLog);
            }
            e.attachExitCode = attach.exitValue();
            e.attachWallMillis = (exited.get() - start) / 1_000_000;
            e.itemsInMemcached = ServerBenchmark.memcachedStats(mcPort).getOrDefault("curr_items", 0L);
            e.attachOutput = new String(Files.readAllBytes(attachLog), StandardCharsets.UTF_8);
            parseAttachOutput(e.attachOutput, e);
            Thread.sleep(200); // the agent logs its line just after publishing "done"
            e.serverLogLine = Files.readAllLines(work.resolve("export/server.log"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains("Exported ")).findFirst().map(String::trim).orElse(null);
            System.out.printf(Locale.ROOT, "attach + export: command %d ms, all %d in memcached after %d ms%n",
                    e.attachWallMillis, e.created, e.allExportedMillis);
        } finally {
            stop(server);
            stop(memcached);
        }
        return e;
    }

    /** Reads the agent's own figures from the attach command's output (AttachCommand's wording). */
    static void parseAttachOutput(String output, Export e) {
        Matcher attached = Pattern.compile("attached to process \\d+ in (\\d+) ms").matcher(output);
        if (attached.find()) {
            e.agentAttachMillis = Long.parseLong(attached.group(1));
        }
        Matcher exported = Pattern.compile("exported to Memcached: (\\d+) of (\\d+) in (\\d+) ms").matcher(output);
        if (exported.find()) {
            e.agentExported = Long.parseLong(exported.group(1));
            e.agentFound = Long.parseLong(exported.group(2));
            e.agentExportMillis = Long.parseLong(exported.group(3));
        }
    }

    /** One new session per request (no cookie sent), from a few keep-alive connections at once. */
    private int createSessionsConcurrently(int port, int n) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < CREATE_THREADS; t++) {
                done.add(pool.submit(() -> {
                    int created = 0;
                    try (Http client = new Http(port)) {
                        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                            createSession(client, "e" + i);
                            created++;
                        }
                    }
                    return created;
                }));
            }
            int created = 0;
            for (Future<Integer> f : done) {
                created += f.get();
            }
            return created;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A new session holding a cart with one item of about 1,900 characters; returns its id. */
    private static String createSession(Http client, String marker) throws IOException {
        Response r = client.get("/shop/cart/add?format=text&item=" + marker + "-" + PAD, null);
        String id = r.sessionCookie();
        if (r.status != 200 || id == null) {
            throw new IllegalStateException("creating a session: HTTP " + r.status + ", cookie " + id);
        }
        return id;
    }

    private Process startServer(String name, int port, List<String> jvmOptions) throws Exception {
        Path dir = fresh(work.resolve(name));
        Process p = new ProcessBuilder(ServerBenchmark.tomcatCommand(root, jvmOptions, null, port, dir, List.of()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        ServerBenchmark.awaitStarted(http, p, port, 100, name, dir.resolve("server.log"));
        return p;
    }

    /** Polls memcached's curr_items until it reaches {@code expected}; returns the last count. */
    private static long awaitItems(int mcPort, long expected, long limitMillis) throws Exception {
        long deadline = System.currentTimeMillis() + limitMillis;
        long items = 0;
        while (System.currentTimeMillis() < deadline) {
            items = ServerBenchmark.memcachedStats(mcPort).getOrDefault("curr_items", 0L);
            if (items >= expected) {
                break;
            }
            Thread.sleep(50);
        }
        return items;
    }

    /** A graceful stop (the agent flushes), forced after 20 s. */
    private static void stop(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Path fresh(Path dir) throws IOException {
        delete(dir);
        return Files.createDirectories(dir);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** Nearest-rank percentile, in ms. */
    static double percentileMillis(long[] nanos, double q) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private static double meanMillis(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6;
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    // ---------------------------------------------------------------- report

    String report(Results r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Lifecycle benchmark: start-up, failover, attach + export\n\n");
        sb.append(String.format(Locale.ROOT, "Run of %s on %d cores, Java %s (%s), %s %s; embedded Tomcat 9 with the demo"
                + " shop, memcached on loopback, everything on the same machine.%n%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch")));

        Startup s = r.startup;
        double startupDiff = median(s.withMillis) - median(s.withoutMillis);
        sb.append("## Start-up\n\n");
        sb.append(String.format(Locale.ROOT, "From launching the JVM to the first HTTP 200 of `/shop/stats` (polled every %d ms);"
                + " %d round(s), interleaved (no agent, agent, no agent, ...) after one unmeasured pair; a fresh Tomcat base"
                + " directory each time.%n%n", STARTUP_POLL_MILLIS, s.withMillis.size()));
        sb.append("| configuration | median ms | mean ms | every round, ms |\n|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| no agent | %.0f | %.0f | %s |%n", median(s.withoutMillis), mean(s.withoutMillis),
                rounds(s.withoutMillis)));
        sb.append(String.format(Locale.ROOT, "| `-javaagent` (write=async) | %.0f | %.0f | %s |%n", median(s.withMillis),
                mean(s.withMillis), rounds(s.withMillis)));
        sb.append(String.format(Locale.ROOT, "| difference | %+.0f | %+.0f | |%n%n", startupDiff,
                mean(s.withMillis) - mean(s.withoutMillis)));

        Failover f = r.failover;
        double p99First = percentileMillis(f.firstNanos, 0.99);
        double p99Normal = percentileMillis(f.normalNanos, 0.99);
        sb.append("## Failover: the first request on the surviving server\n\n");
        sb.append(String.format(Locale.ROOT, "Servers A and B with the agent (write=async), one memcached. %d sessions of"
                + " about 2 KB (a cart with one 1,900-character item) created on A, plus %d for warm-up; once memcached"
                + " held them all, A was killed (SIGKILL). Then on B, from one keep-alive connection, per session: the"
                + " first request with its cookie (`/shop/session`; B loads the session from memcached) and a second,"
                + " ordinary one. Restored means: B answered 200 with the same session id and the cart made on A, and set"
                + " no other session cookie. Tomcat closes a keep-alive connection after 100 requests: the client"
                + " opened %d, each at once and first used for an unmeasured `/shop/stats`, so no measured request"
                + " includes a new connection.%n%n", f.sessions, warmup, f.connections));
        sb.append("| request | p50 ms | p99 ms | max ms | mean ms |\n|---|---|---|---|---|\n");
        sb.append(latencyRow("first (restored from memcached)", f.firstNanos));
        sb.append(latencyRow("second (session already on B)", f.normalNanos));
        sb.append(String.format(Locale.ROOT, "%nRestored: **%d of %d**; p99(first) − p99(second) = **%.2f ms**. B's agent,"
                + " at shutdown (warm-up included): %s.%n", f.restored, f.sessions, p99First - p99Normal,
                f.agentLoads == null ? "no summary line" : "`" + f.agentLoads + "`"));
        for (String failure : f.failures.subList(0, Math.min(10, f.failures.size()))) {
            sb.append("- ").append(failure).append('\n');
        }
        if (f.failures.size() > 10) {
            sb.append("- ... and ").append(f.failures.size() - 10).append(" more\n");
        }
        sb.append('\n');

        Export e = r.export;
        sb.append("## Attach + export of existing sessions\n\n");
        sb.append(String.format(Locale.ROOT, "Tomcat started without the agent; %d sessions of about 2 KB created (one request"
                + " each, no cookie, %d keep-alive connections) in %d ms; memcached then held %d items. Then"
                + " `java -jar session-mirror-agent.jar attach <pid> nodes=...` (default `export` rate), memcached's"
                + " `curr_items` polled every 20 ms from the launch of the command.%n%n", e.created, CREATE_THREADS,
                e.createMillis, e.itemsBeforeAttach));
        sb.append("| attach command, wall time (its JVM, attach, waiting for the export) | all sessions in memcached after |"
                + " sessions in memcached | agent: attach | agent: export |\n|---|---|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| %d ms (exit code %d) | %s | %d of %d | %s | %s |%n%n", e.attachWallMillis,
                e.attachExitCode, e.allExportedMillis < 0 ? "never" : e.allExportedMillis + " ms", e.itemsInMemcached,
                e.created, e.agentAttachMillis < 0 ? "-" : e.agentAttachMillis + " ms",
                e.agentExported < 0 ? "-" : e.agentExported + " of " + e.agentFound + " in " + e.agentExportMillis + " ms"));
        sb.append("Server log: ").append(e.serverLogLine == null ? "no \"Exported ...\" line" : "`" + e.serverLogLine + "`")
                .append("\n\n");

        sb.append("## Targets\n\n| target | measured | |\n|---|---|---|\n");
        sb.append(String.format(Locale.ROOT, "| start-up with the agent ≤ 1 s slower (medians) | %+.0f ms | %s |%n", startupDiff,
                metOrMissed(startupDiff <= STARTUP_TARGET_MILLIS)));
        sb.append(String.format(Locale.ROOT, "| failover: p99(first request) − p99(ordinary request) ≤ 2 ms, every session"
                + " restored | %.2f ms (%.2f − %.2f), %d of %d restored | %s |%n", p99First - p99Normal, p99First, p99Normal,
                f.restored, f.sessions, metOrMissed(p99First - p99Normal <= FAILOVER_TARGET_MILLIS
                        && f.restored == f.sessions)));
        sb.append(String.format(Locale.ROOT, "| attach + export of %d sessions in a few seconds (read: all in memcached ≤ %d s"
                + " after launching the attach command) | %s, %d of %d | %s |%n", e.created, EXPORT_TARGET_MILLIS / 1000,
                e.allExportedMillis < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", e.allExportedMillis / 1000.0),
                e.itemsInMemcached, e.created, metOrMissed(e.allExportedMillis >= 0
                        && e.allExportedMillis <= EXPORT_TARGET_MILLIS)));
        return sb.toString();
    }

    private static String latencyRow(String label, long[] nanos) {
        return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f |%n", label, percentileMillis(nanos, 0.5),
                percentileMillis(nanos, 0.99), percentileMillis(nanos, 1.0), meanMillis(nanos));
    }

    private static String rounds(List<Double> millis) {
        StringBuilder sb = new StringBuilder();
        for (double m : millis) {
            sb.append(sb.length() == 0 ? "" : ", ").append(Math.round(m));
        }
        return sb.toString();
    }

    private static String metOrMissed(boolean met) {
        return met ? "met" : "**missed**";
    }

    // ---------------------------------------------------------------- a minimal HTTP/1.1 client

    static final class Response {
        int status;
        final Map<String, List<String>> headers = new HashMap<>();
        String body;
        /** From writing the request to reading the last byte of the body. */
        long nanos;

        String header(String name) {
            List<String> v = headers.get(name);
            return v == null ? null : v.get(0);
        }

        /** The JSESSIONID this response sets, or null. */
        String sessionCookie() {
            for (String c : headers.getOrDefault("set-cookie", List.of())) {
                if (c.startsWith("JSESSIONID=")) {
                    int end = c.indexOf(';');
                    return c.substring("JSESSIONID=".length(), end < 0 ? c.length() : end);
                }
            }
            return null;
        }
    }

    /**
     * GET over one blocking keep-alive socket. The JDK's HttpClient hands every exchange to its selector thread
     * and back; on two busy cores that hand-off is noise of the same order as what the failover part measures.
     */
    static final class Http implements Closeable {
        private final int port;
        /** Sent, unmeasured and unchecked, as the first request of every new connection; or null. */
        private final String primer;
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        int connections;

        Http(int port) {
            this(port, null);
        }

        Http(int port, String primer) {
            this.port = port;
            this.primer = primer;
        }

        Response get(String path, String sessionId) throws IOException {
            byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + (sessionId == null ? "" : "Cookie: JSESSIONID=" + sessionId + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            if (socket == null) {
                connect();
            }
            try {
                return exchange(request);
            } catch (IOException stale) {
                // The server closed an idle keep-alive connection: once more, on a new one.
                close();
                connect();
                return exchange(request);
            }
        }

        private Response exchange(byte[] request) throws IOException {
            Response r = new Response();
            long t0 = System.nanoTime();
            out.write(request);
            out.flush();
            String status = line();
            if (status == null || !status.startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP response: " + status);
            }
            r.status = Integer.parseInt(status.substring(9, 12));
            for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                r.headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(h.substring(colon + 1).trim());
            }
            r.body = new String(body(r), StandardCharsets.UTF_8);
            r.nanos = System.nanoTime() - t0;
            if ("close".equalsIgnoreCase(r.header("connection"))) {
                // Reconnect now, so that the next request's time does not include the TCP handshake. If that
                // fails, the next request connects (or reports the error); this response stands either way.
                close();
                try {
                    connect();
                } catch (IOException later) {
                    // not now
                }
            }
            return r;
        }

        private byte[] body(Response r) throws IOException {
            String length = r.header("content-length");
            if (length != null) {
                return in.readNBytes(Integer.parseInt(length));
            }
            if ("chunked".equalsIgnoreCase(r.header("transfer-encoding"))) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                for (;;) {
                    String size = line();
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                            // trailers: none expected
                        }
                        return body.toByteArray();
                    }
                    body.write(in.readNBytes(n));
                    line(); // the CRLF after the chunk
                }
            }
            return new byte[0]; // 204, 304 and the like
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    if (sb.length() == 0) {
                        throw new IOException("connection closed");
                    }
                    break;
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        private void connect() throws IOException {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.setSoTimeout(30_000);
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            } catch (IOException e) {
                s.close();
                throw e;
            }
            socket = s;
            in = new BufferedInputStream(s.getInputStream());
            out = s.getOutputStream();
            connections++;
            if (primer != null) {
                exchange(("GET " + primer + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }
}
