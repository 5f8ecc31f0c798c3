package io.sessionmirror.benchmarks;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The heap the agent keeps per mirrored session (issue 17: at most 150 bytes). The same embedded Tomcat 9 and demo
 * shop twice, without and with the agent ({@code write=async}); each gets first {@code warm} sessions, then
 * {@code sessions} in all (one small session per request: {@code /shop/counter}), and after each step, once memcached
 * holds every session the agent has, a live class histogram ({@code jcmd <pid> GC.class_histogram}, a full GC).
 * Two figures per session, from the histograms with every session:
 * <ul>
 *   <li><b>per session</b>: (bytes of the agent's own classes + for every other class, bytes with the agent − bytes
 *       without) / sessions. This includes what the agent holds once (codec tables, byte-buddy, buffers);</li>
 *   <li><b>per added session</b>: the same difference between the histogram with every session and the one with the
 *       warm-up sessions, divided by the sessions added in between: what one more session costs, without the fixed
 *       part.</li>
 * </ul>
 * Writes the four histograms and {@code heap.md} to the output directory.
 * <pre>
 *   benchmarks/run.sh --heap [--sessions 100000] [--warm 1000] [--smoke]
 * </pre>
 */
public final class HeapPerSession {

    /** The heap of both servers: room for 100,000 sessions with no GC pressure that would differ between them. */
    private static final List<String> HEAP = List.of("-Xms1g", "-Xmx1g");
    private static final int TOP = 12;

    /** Histograms of one server: after the warm-up sessions and after all of them. */
    static final class Run {
        ClassHistogram warm;
        ClassHistogram full;
        long createMillis;
        long itemsInMemcached;
    }

    static final class Results {
        int sessions;
        int warm;
        Run none;
        Run agent;

        /** Bytes with every session, agent run − no-agent run, of the classes {@code agentClasses} selects. */
        long totalDelta(boolean agentClasses) {
            long sum = 0;
            for (String c : classes()) {
                if (ClassHistogram.isAgentClass(c) == agentClasses) {
                    sum += agent.full.bytes(c) - none.full.bytes(c);
                }
            }
            return sum;
        }

        /** Growth from the warm-up histogram to the full one, agent run − no-agent run. */
        long addedDelta(boolean agentClasses) {
            long sum = 0;
            for (String c : classes()) {
                if (ClassHistogram.isAgentClass(c) == agentClasses) {
                    sum += added(c);
                }
            }
            return sum;
        }

        long added(String c) {
            return agent.full.bytes(c) - agent.warm.bytes(c) - (none.full.bytes(c) - none.warm.bytes(c));
        }

        double perSession() {
            return (double) (totalDelta(true) + totalDelta(false)) / sessions;
        }

        double perAddedSession() {
            return (double) (addedDelta(true) + addedDelta(false)) / (sessions - warm);
        }

        Set<String> classes() {
            Set<String> all = new LinkedHashSet<>();
            for (Run r : List.of(none, agent)) {
                all.addAll(r.warm.byClass.keySet());
                all.addAll(r.full.byClass.keySet());
            }
            return all;
        }
    }

    private final Path root;
    private final Path out;
    private final int sessions;
    private final int warm;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HeapPerSession(Path root, Path out, int sessions, int warm) {
        if (warm < 1 || warm >= sessions) {
            throw new IllegalArgumentException("need 1 <= warm-up sessions < sessions: " + warm + ", " + sessions);
        }
        this.root = root;
        this.out = out;
        this.sessions = sessions;
        this.warm = warm;
    }

    public static void main(String[] args) throws Exception {
        Path root = Paths.get(".");
        Path out = null;
        int sessions = 100_000;
        int warm = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root": root = Paths.get(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                case "--sessions": sessions = Integer.parseInt(args[++i]); break;
                case "--warm": warm = Integer.parseInt(args[++i]); break;
                case "--smoke": sessions = 300; warm = 30; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; accepted: --root DIR --out DIR --sessions N --warm N --smoke");
            }
        }
        root = root.toAbsolutePath().normalize();
        if (out == null) {
            out = root.resolve("demo-run/benchmark");
        }
        HeapPerSession h = new HeapPerSession(root, out, sessions, warm > 0 ? warm : Math.max(1, Math.min(1000, sessions / 10)));
        System.out.println(h.report(h.run()));
    }

    Results run() throws Exception {
        ServerBenchmark.requireBuilt(root, ServerBenchmark.AGENT_JAR, ServerBenchmark.LAUNCHER_JAR, ServerBenchmark.SHOP_WAR,
                ServerBenchmark.TOMCAT9_DIR);
        Files.createDirectories(out);
        Results r = new Results();
        r.sessions = sessions;
        r.warm = warm;
        int mcPort = ServerBenchmark.freePort();
        Process memcached = ServerBenchmark.startMemcached(mcPort);
        try {
            r.none = measure("none", List.of(), mcPort);
            r.agent = measure("agent", List.of("-javaagent:" + root.resolve(ServerBenchmark.AGENT_JAR) + "=nodes=127.0.0.1:"
                    + mcPort + ",write=async"), mcPort);
        } finally {
            stop(memcached);
        }
        Files.write(out.resolve("heap.md"), report(r).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /**
     * One server: the warm-up sessions, their histogram, the rest of the sessions, the full histogram. With the agent
     * each histogram waits until memcached holds every session so far (nothing left in the writer's queue).
     */
    private Run measure(String name, List<String> agentOptions, int mcPort) throws Exception {
        Path dir = out.resolve("heap-" + name);
        Files.createDirectories(dir);
        int port = ServerBenchmark.freePort();
        List<String> jvm = new ArrayList<>(HEAP);
        jvm.addAll(agentOptions);
        Process server = new ProcessBuilder(ServerBenchmark.tomcatCommand(root, jvm, null, port, dir, List.of()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        Run run = new Run();
        try {
            ServerBenchmark.awaitStarted(http, server, port, 100, "heap " + name, dir.resolve("server.log"));
            long base = ServerBenchmark.memcachedStats(mcPort).getOrDefault("curr_items", 0L);
            boolean mirrored = !agentOptions.isEmpty();
            long t0 = System.nanoTime();
            ColdSessions.create(port, warm, i -> "/shop/counter?format=text");
            if (mirrored) {
                awaitItems(mcPort, base + warm);
            }
            run.warm = ClassHistogram.take(server.pid(), out.resolve("heap-" + name + "-" + warm + ".txt"));
            ColdSessions.create(port, sessions - warm, i -> "/shop/counter?format=text");
            run.createMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (mirrored) {
                awaitItems(mcPort, base + sessions);
            }
            run.itemsInMemcached = ServerBenchmark.memcachedStats(mcPort).getOrDefault("curr_items", 0L) - base;
            run.full = ClassHistogram.take(server.pid(), out.resolve("heap-" + name + "-" + sessions + ".txt"));
            System.out.printf(Locale.ROOT, "heap %-5s %d sessions created in %d ms, %d in memcached; live heap %.1f MB%n",
                    name, sessions, run.createMillis, run.itemsInMemcached, run.full.totalBytes() / 1e6);
        } finally {
            stop(server);
        }
        return run;
    }

    /** Polls memcached's curr_items (every 50 ms, at most 5 minutes) until it reaches {@code expected}. */
    private static void awaitItems(int mcPort, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long items = 0;
        while (System.nanoTime() < deadline) {
            items = ServerBenchmark.memcachedStats(mcPort).getOrDefault("curr_items", 0L);
            if (items >= expected) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("after 5 minutes memcached holds " + items + " items, not " + expected);
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- report

    String report(Results r) {
        StringBuilder sb = new StringBuilder();
        sb.append("**heap the agent keeps per mirrored session**\n\n");
        sb.append(String.format(Locale.ROOT, "Run of %s. Embedded Tomcat 9 + demo shop (%s), without and with the agent"
                + " (`write=async`); %,d small sessions (one `/shop/counter` each: a counter), histograms after %,d"
                + " and after %,d sessions, each once memcached held every session (agent run: %,d items). Live heap"
                + " with every session: %.1f MB without, %.1f MB with the agent. Histograms: `heap-none-*.txt`,"
                + " `heap-agent-*.txt`. Agent classes: `%s*` (relocated dependencies included) but not `%s*`.%n%n",
                LocalDate.now(), String.join(" ", HEAP), r.sessions, r.warm, r.sessions, r.agent.itemsInMemcached,
                r.none.full.totalBytes() / 1e6, r.agent.full.totalBytes() / 1e6, ClassHistogram.AGENT_PACKAGE,
                ClassHistogram.DEMO_PACKAGE));
        int added = r.sessions - r.warm;
        sb.append("| | bytes with every session | per session | per added session |\n|---|---|---|---|\n");
        sb.append(summaryRow("the agent's own classes", r.totalDelta(true), r.addedDelta(true), r.sessions, added));
        sb.append(summaryRow("other classes (JDK, Tomcat): with − without the agent", r.totalDelta(false),
                r.addedDelta(false), r.sessions, added));
        sb.append(String.format(Locale.ROOT, "| **total** | %,d | **%.1f** | **%.1f** |%n%n",
                r.totalDelta(true) + r.totalDelta(false), r.perSession(), r.perAddedSession()));
        sb.append("Per session: bytes with every session / sessions (includes what the agent holds once). Per added"
                + " session: growth from the warm-up histogram to the full one / sessions added.\n\n");

        sb.append("The agent's own classes, largest first:\n\n| class | instances per session | bytes | per session |"
                + " per added session |\n|---|---|---|---|---|\n");
        for (String c : top(r, true)) {
            sb.append(String.format(Locale.ROOT, "| `%s` | %.2f | %,d | %.1f | %.1f |%n", c,
                    (double) r.agent.full.instances(c) / r.sessions, r.agent.full.bytes(c),
                    (double) r.agent.full.bytes(c) / r.sessions, (double) r.added(c) / added));
        }
        sb.append("\nOther classes, with the agent − without, largest differences first:\n\n| class | instances per session"
                + " | bytes | per session | per added session |\n|---|---|---|---|---|\n");
        for (String c : top(r, false)) {
            long d = r.agent.full.bytes(c) - r.none.full.bytes(c);
            sb.append(String.format(Locale.ROOT, "| `%s` | %+.2f | %+,d | %+.1f | %+.1f |%n", c,
                    (double) (r.agent.full.instances(c) - r.none.full.instances(c)) / r.sessions, d,
                    (double) d / r.sessions, (double) r.added(c) / added));
        }
        return sb.append('\n').toString();
    }

    private static String summaryRow(String label, long total, long growth, int sessions, int added) {
        return String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f |%n", label, total, (double) total / sessions,
                (double) growth / added);
    }

    /** The classes with the largest per-session figure (by the larger of both measures, in absolute value). */
    private static List<String> top(Results r, boolean agentClasses) {
        List<String> classes = new ArrayList<>();
        for (String c : r.classes()) {
            if (ClassHistogram.isAgentClass(c) == agentClasses) {
                classes.add(c);
            }
        }
        Comparator<String> size = Comparator.comparingLong(c -> Math.max(
                Math.abs(r.agent.full.bytes(c) - r.none.full.bytes(c)), Math.abs(r.added(c))));
        classes.sort(size.reversed());
        return classes.subList(0, Math.min(TOP, classes.size()));
    }
}
