package io.sessionmirror.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * The server benchmark: the same Tomcat 9, the same web app (the demo shop) and the same memcached, with no
 * agent, with Session Mirror (async and sync) and with memcached-session-manager 2.3.2 (Java serialization and
 * Kryo), interleaved in one run; wrk as the load generator. Per configuration and workload it reports
 * requests/s, p50/p99 latency and memcached operations and bytes per request (from memcached's own stats),
 * and writes a Markdown table and a PNG chart. For issue 17 it also runs a cold-sessions workload
 * ({@link ColdSessions}: each request on another of 10,000 sessions, CPU per memcached write) and, on the 2 KB write
 * workload, the latency at a constant rate of half the no-agent saturation ({@link ConstantRateLatency}).
 * <pre>
 *   benchmarks/run.sh [--seconds 15] [--warmup 5] [--rounds 2] [--connections 16] [--cold-sessions 10000]
 *                     [--no-latency] [--smoke]
 * </pre>
 */
public final class ServerBenchmark {

    // What every server benchmark runs, relative to the repository root (LifecycleBenchmark uses them too).
    static final String AGENT_JAR = "agent/target/session-mirror-agent.jar";
    static final String LAUNCHER_JAR = "demo-apps/tomcat-launcher/target/tomcat-launcher-0.1.0-SNAPSHOT.jar";
    static final String SHOP_WAR = "demo-apps/shop-webapp/target/shop.war";
    static final String TOMCAT9_DIR = "benchmarks/target/tomcat9";

    enum Config {
        NONE("no agent"),
        SM_ASYNC("Session Mirror async"),
        SM_SYNC("Session Mirror sync"),
        MSM_JAVA("msm 2.3.2 (Java)"),
        MSM_KRYO("msm 2.3.2 (Kryo)");

        final String label;

        Config(String label) {
            this.label = label;
        }
    }

    enum Workload {
        READ("read-only, 2 KB session", "/shop/session", false, false),
        WRITE_2K("write every request, 2 KB session", "/shop/counter?format=text", false, false),
        WRITE_20K("write every request, 20 KB session", "/shop/counter?format=text", true, false),
        COLD_2K("write every request, cold 2 KB sessions", "/shop/counter?format=text", false, true);

        final String label;
        final String path;
        final boolean big;
        /** Each request on another of many sessions ({@link ColdSessions}) instead of a few hot ones. */
        final boolean cold;

        Workload(String label, String path, boolean big, boolean cold) {
            this.label = label;
            this.path = path;
            this.big = big;
            this.cold = cold;
        }
    }

    static final class Result {
        final Config config;
        final Workload workload;
        double rps;
        double p50Millis;
        double p99Millis;
        double opsPerRequest;
        /** CPU time (user + system) per request of the server process, of its replication threads, of memcached. */
        double serverCpuMicros;
        double replicationCpuMicros;
        double memcachedCpuMicros;
        double bytesPerRequest;
        /** memcached's cmd_set delta per request: the writes. */
        double setsPerRequest;
        long requests;

        Result(Config config, Workload workload) {
            this.config = config;
            this.workload = workload;
        }
    }

    private final Path root;
    private final Path out;
    private final int seconds;
    private final int warmup;
    private final int rounds;
    private final int connections;
    private final int sessions;
    /** Sessions of the cold workload; 0: not run. */
    private final int coldSessions;
    /** The constant-rate latency of the 2 KB write workload, or null: not measured. */
    private final ConstantRateLatency latency;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process memcached;
    private int memcachedPort;

    ServerBenchmark(Path root, Path out, int seconds, int warmup, int rounds, int connections, int sessions,
                    int coldSessions, boolean latency) {
        this.root = root;
        this.coldSessions = coldSessions;
        this.latency = latency ? new ConstantRateLatency(connections, warmup, seconds) : null;
        this.out = out;
        this.seconds = seconds;
        this.warmup = warmup;
        this.rounds = rounds;
        this.connections = connections;
        this.sessions = sessions;
    }

    public static void main(String[] args) throws Exception {
        Path root = Paths.get(".");
        Path out = null;
        int seconds = 15;
        int warmup = 5;
        int rounds = 2;
        int connections = 16;
        int sessions = 32;
        int coldSessions = 10_000;
        boolean latency = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root": root = Paths.get(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                case "--seconds": seconds = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--connections": connections = Integer.parseInt(args[++i]); break;
                case "--sessions": sessions = Integer.parseInt(args[++i]); break;
                case "--cold-sessions": coldSessions = Integer.parseInt(args[++i]); break;
                case "--no-latency": latency = false; break;
                case "--smoke": seconds = 1; warmup = 1; rounds = 1; sessions = 4; connections = 4; coldSessions = 200; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; accepted: --root DIR --out DIR --seconds N --warmup N --rounds N --connections N"
                        + " --sessions N --cold-sessions N --no-latency --smoke");
            }
        }
        root = root.toAbsolutePath().normalize();
        if (out == null) {
            out = root.resolve("demo-run/benchmark");
        }
        ServerBenchmark b = new ServerBenchmark(root, out, seconds, warmup, rounds, connections, sessions, coldSessions,
                latency);
        List<Result> results = b.run();
        System.out.println(b.report(results));
    }

    List<Result> run() throws Exception {
        Files.createDirectories(out);
        requireBuilt(root, AGENT_JAR, LAUNCHER_JAR, SHOP_WAR, TOMCAT9_DIR, "benchmarks/target/msm");
        memcachedPort = freePort();
        memcached = startMemcached(memcachedPort);
        List<Result> all = new ArrayList<>();
        try {
            for (int round = 1; round <= rounds; round++) {
                for (Config c : Config.values()) {
                    all.addAll(runConfig(c, round));
                }
            }
        } finally {
            memcached.destroy();
            memcached.waitFor(5, TimeUnit.SECONDS);
        }
        List<Result> merged = merge(all);
        Files.write(out.resolve("results.md"), report(merged).getBytes(StandardCharsets.UTF_8));
        chart(merged, out.resolve("benchmark-chart.png"));
        return merged;
    }

    // ---------------------------------------------------------------- processes

    static void requireBuilt(Path root, String... paths) {
        for (String path : paths) {
            if (!Files.exists(root.resolve(path))) {
                throw new IllegalStateException(root.resolve(path) + " is missing: run 'mvn -DskipTests package' first");
            }
        }
    }

    /** Starts memcached on 127.0.0.1:{@code memcachedPort} and returns once it accepts connections. */
    static Process startMemcached(int memcachedPort) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("memcached", "-l", "127.0.0.1", "-p", String.valueOf(memcachedPort),
                "-U", "0", "-m", "512", "-t", "2"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "memcache"));
        }
        Process memcached = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", memcachedPort), 200);
                return memcached;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        memcached.destroyForcibly();
        throw new IllegalStateException("memcached did not start (is the package 'memcached' installed?)");
    }

    private Process startServer(Config c, int port, Path dir) throws Exception {
        List<String> jvmOptions = new ArrayList<>();
        String nodes = "127.0.0.1:" + memcachedPort;
        if (c == Config.SM_ASYNC || c == Config.SM_SYNC) {
            jvmOptions.add("-javaagent:" + root.resolve(AGENT_JAR) + "=nodes=" + nodes + ",write="
                    + (c == Config.SM_ASYNC ? "async" : "sync"));
        }
        String extraClassPath = null;
        List<String> extra = new ArrayList<>();
        if (c == Config.MSM_JAVA || c == Config.MSM_KRYO) {
            // What msm's users must add on JDK 17 (Kryo reflects into java.base; without these it stores nothing).
            // Session Mirror opens what FST needs to its own class loader by itself.
            for (String pkg : new String[] {"java.lang", "java.util", "java.util.concurrent", "java.util.concurrent.atomic",
                "java.math", "java.net", "java.text", "java.time", "java.io"}) {
                jvmOptions.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
            }
            extraClassPath = root.resolve("benchmarks/target/msm") + File.separator + "*";
            Path xml = dir.resolve("context.xml");
            Files.write(xml, ("<Context>\n  <Manager className=\"de.javakaffee.web.msm.MemcachedBackupSessionManager\"\n"
                    + "    memcachedNodes=\"n1:" + nodes + "\" sticky=\"true\" sessionBackupAsync=\"true\""
                    + (c == Config.MSM_KRYO ? "\n    transcoderFactoryClass=\"de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory\"" : "")
                    + "/>\n</Context>\n").getBytes(StandardCharsets.UTF_8));
            extra.addAll(List.of("--context-xml", xml.toString()));
        }
        List<String> cmd = tomcatCommand(root, jvmOptions, extraClassPath, port, dir, extra);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        awaitStarted(http, p, port, 100, c.label, dir.resolve("server.log"));
        return p;
    }

    /**
     * The command line of the embedded Tomcat 9 serving the demo shop at /shop on {@code port}, with its base
     * (work files) in {@code dir}; {@code jvmOptions} (e.g. -javaagent) go before the class path.
     */
    static List<String> tomcatCommand(Path root, List<String> jvmOptions, String extraClassPath, int port, Path dir,
                                      List<String> launcherArgs) {
        return tomcatCommand(root, TOMCAT9_DIR, SHOP_WAR, jvmOptions, extraClassPath, port, dir, launcherArgs);
    }

    /** The same with another Tomcat's jars ({@code tomcatDir}) and web app ({@code war}), both relative to root. */
    static List<String> tomcatCommand(Path root, String tomcatDir, String war, List<String> jvmOptions,
                                      String extraClassPath, int port, Path dir, List<String> launcherArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC", "-Ddemo.server.name=bench"));
        cmd.addAll(jvmOptions);
        String cp = root.resolve(LAUNCHER_JAR) + File.pathSeparator + root.resolve(tomcatDir) + File.separator + "*";
        if (extraClassPath != null) {
            cp += File.pathSeparator + extraClassPath;
        }
        cmd.addAll(List.of("-cp", cp, "io.sessionmirror.demo.launcher.TomcatLauncher", "--port", String.valueOf(port),
                "--app", "/shop=" + root.resolve(war), "--base", dir.toString()));
        cmd.addAll(launcherArgs);
        return cmd;
    }

    /**
     * Polls /shop/stats every {@code pollMillis} until it answers 200 (the shop is deployed and serving). Fails when
     * the process exits first or after 90 s (the process is then killed).
     */
    static void awaitStarted(HttpClient http, Process p, int port, long pollMillis, String label, Path log)
            throws Exception {
        HttpRequest stats = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/shop/stats")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(label + " exited at start; see " + log);
            }
            try {
                if (http.send(stats, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(pollMillis);
        }
        p.destroyForcibly();
        throw new IllegalStateException(label + " did not start within 90 s; see " + log);
    }

    private List<Result> runConfig(Config c, int round) throws Exception {
        Path dir = out.resolve("round" + round + "-" + c.name().toLowerCase(Locale.ROOT));
        Files.createDirectories(dir);
        int port = freePort();
        Process server = startServer(c, port, dir);
        List<Result> results = new ArrayList<>();
        try {
            Map<Workload, Path> cookies = new HashMap<>();
            Path small = createSessions(port, 2 * 1024, dir.resolve("cookies-2k.txt"));
            Path big = createSessions(port, 20 * 1024, dir.resolve("cookies-20k.txt"));
            for (Workload w : Workload.values()) {
                if (!w.cold) {
                    cookies.put(w, w.big ? big : small);
                } else if (measuresCold(c)) {
                    long t0 = System.nanoTime();
                    cookies.put(w, ColdSessions.create(port, coldSessions, dir.resolve("cookies-cold.txt")));
                    System.out.printf(Locale.ROOT, "round %d  %-22s %d cold sessions created in %d ms%n", round, c.label,
                            coldSessions, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                }
            }
            for (Workload w : Workload.values()) {
                if (!cookies.containsKey(w)) {
                    continue;
                }
                String url = "http://127.0.0.1:" + port + w.path;
                Path script = w.cold ? ColdSessions.script(dir) : hotScript(dir);
                wrk(url, cookies.get(w), warmup, script); // warm-up: JIT, pools, memcached connections
                Thread.sleep(500);
                Map<String, Long> before = memcachedStats();
                long[] cpuBefore = {cpuTicks(server.pid(), null), cpuTicks(server.pid(), REPLICATION_THREADS),
                    cpuTicks(memcached.pid(), null)};
                Result r = new Result(c, w);
                String output = wrk(url, cookies.get(w), seconds, script);
                Thread.sleep(1000); // let asynchronous writes of the last requests land
                Map<String, Long> after = memcachedStats();
                long[] cpuAfter = {cpuTicks(server.pid(), null), cpuTicks(server.pid(), REPLICATION_THREADS),
                    cpuTicks(memcached.pid(), null)};
                parseWrk(output, r);
                r.serverCpuMicros = microsPerRequest(cpuAfter[0] - cpuBefore[0], r.requests);
                r.replicationCpuMicros = microsPerRequest(cpuAfter[1] - cpuBefore[1], r.requests);
                r.memcachedCpuMicros = microsPerRequest(cpuAfter[2] - cpuBefore[2], r.requests);
                long ops = 0;
                for (String k : new String[] {"cmd_get", "cmd_set", "cmd_touch", "delete_hits", "delete_misses",
                    "cas_hits", "cas_misses", "incr_hits", "incr_misses", "decr_hits", "decr_misses"}) {
                    ops += after.getOrDefault(k, 0L) - before.getOrDefault(k, 0L);
                }
                r.opsPerRequest = r.requests == 0 ? 0 : (double) ops / r.requests;
                r.bytesPerRequest = r.requests == 0 ? 0 : (double) (after.get("bytes_read") - before.get("bytes_read"))
                        / r.requests;
                r.setsPerRequest = r.requests == 0 ? 0 : (double) (after.getOrDefault("cmd_set", 0L)
                        - before.getOrDefault("cmd_set", 0L)) / r.requests;
                results.add(r);
                if (latency != null && c == Config.NONE && w == Workload.WRITE_2K && round == 1) {
                    latency.saturation(r.rps);
                }
                System.out.printf(Locale.ROOT, "round %d  %-22s %-40s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %5.2f ops/req"
                        + "  %7.0f B/req  CPU/req: server %5.1f us (replication %4.1f), memcached %4.1f us%n", round,
                        c.label, w.label, r.rps, r.p50Millis, r.p99Millis, r.opsPerRequest, r.bytesPerRequest,
                        r.serverCpuMicros, r.replicationCpuMicros, r.memcachedCpuMicros);
            }
            if (latency != null && latency.hasRate()) {
                latency.measure(c, round, port, Workload.WRITE_2K.path, small);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        return results;
    }

    /** The cold workload for every configuration but msm Kryo (it stores nothing on JDK 17: no write to measure). */
    private boolean measuresCold(Config c) {
        return coldSessions > 0 && c != Config.MSM_KRYO;
    }

    /** The constant-rate latency per configuration, every round pooled; empty when not measured. */
    Map<Config, FixedRateDriver.Result> latency() {
        return latency == null ? Map.of() : latency.pooled();
    }

    /** Creates {@code sessions} sessions of about {@code bytes} each (a cart of 40 items); returns the cookie file. */
    Path createSessions(int port, int bytes, Path file) throws Exception {
        String item = "x".repeat(Math.max(8, bytes / 40 - 12));
        List<String> ids = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            String cookie = null;
            for (int i = 0; i < 40; i++) {
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/shop/cart/add?format=text&item=" + i + item));
                if (cookie != null) {
                    req.header("Cookie", "JSESSIONID=" + cookie);
                }
                HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() != 200) {
                    throw new IllegalStateException("creating sessions: HTTP " + resp.statusCode());
                }
                if (cookie == null) {
                    for (String h : resp.headers().allValues("Set-Cookie")) {
                        if (h.startsWith("JSESSIONID=")) {
                            cookie = h.substring("JSESSIONID=".length(), h.indexOf(';') < 0 ? h.length() : h.indexOf(';'));
                        }
                    }
                    if (cookie == null) {
                        throw new IllegalStateException("the shop did not set a session cookie");
                    }
                }
            }
            ids.add(cookie);
        }
        Files.write(file, ids);
        return file;
    }

    /** The hot workloads' wrk script: each connection cycles through the sessions, like many users on few connections. */
    static Path hotScript(Path dir) throws IOException {
        Path script = dir.resolve("sessions.lua");
        if (!Files.exists(script)) {
            Files.write(script, ("local ids = {}\nfor line in io.lines(os.getenv(\"BENCH_COOKIES\")) do ids[#ids + 1] = line end\n"
                    + "local n = 0\nrequest = function()\n  n = n + 1\n"
                    + "  return wrk.format(nil, nil, {[\"Cookie\"] = \"JSESSIONID=\" .. ids[(n % #ids) + 1]})\nend\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return script;
    }

    String wrk(String url, Path cookies, int secs, Path script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t", String.valueOf(WRK_THREADS), "-c", String.valueOf(connections),
                "-d", secs + "s", "--latency", "-s", script.toString(), url).redirectErrorStream(true);
        pb.environment().put("BENCH_COOKIES", cookies.toString());
        pb.environment().put("BENCH_STRIDE", String.valueOf(WRK_THREADS));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("wrk is not installed (Debian package 'wrk'); benchmarks/run.sh installs it", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(secs + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + output);
        }
        return output;
    }

    private static final int WRK_THREADS = 2;

    /**
     * Threads that only replicate: Session Mirror's writer and helpers, spymemcached's I/O thread (ours and msm's)
     * and msm's storage threads. Linux shows the first 15 characters of a Java thread's name.
     */
    static final String[] REPLICATION_THREADS = {"session-mirror", "Memcached IO", "msm-"};

    /**
     * CPU time, in clock ticks, of a process (or of those of its threads whose names start with one of
     * {@code threadPrefixes}), from /proc; 0 where /proc is not available. Unlike requests/s on a shared machine,
     * the CPU a request costs hardly depends on what else runs.
     */
    static long cpuTicks(long pid, String[] threadPrefixes) {
        try {
            if (threadPrefixes == null) {
                return ticksOf(Paths.get("/proc", String.valueOf(pid), "stat"));
            }
            long sum = 0;
            try (java.util.stream.Stream<Path> tasks = Files.list(Paths.get("/proc", String.valueOf(pid), "task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    String name = new String(Files.readAllBytes(t.resolve("comm")), StandardCharsets.UTF_8).trim();
                    for (String prefix : threadPrefixes) {
                        if (name.startsWith(prefix)) {
                            sum += ticksOf(t.resolve("stat"));
                            break;
                        }
                    }
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return 0; // a thread ended while we read, or no /proc: the column shows 0
        }
    }

    private static long ticksOf(Path stat) throws IOException {
        String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    }

    static double microsPerRequest(long ticks, long requests) {
        return requests == 0 ? 0 : ticks * 1_000_000.0 / TICKS_PER_SECOND / requests;
    }

    /** USER_HZ: 100 on every Linux distribution's kernel build. */
    private static final double TICKS_PER_SECOND = 100;

    static void parseWrk(String output, Result r) {
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(output);
        Matcher count = Pattern.compile("([0-9]+) requests in").matcher(output);
        if (!rps.find() || !count.find()) {
            throw new IllegalStateException("unexpected wrk output: " + output);
        }
        r.rps = Double.parseDouble(rps.group(1));
        r.requests = Long.parseLong(count.group(1));
        if (output.contains("Non-2xx or 3xx responses")) {
            throw new IllegalStateException("the server answered with errors: " + output);
        }
        r.p50Millis = latency(output, "50%");
        r.p99Millis = latency(output, "99%");
    }

    private static double latency(String output, String percentile) {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("no " + percentile + " latency in wrk output: " + output);
        }
        double v = Double.parseDouble(m.group(1));
        return m.group(2).equals("us") ? v / 1000 : m.group(2).equals("s") ? v * 1000 : v;
    }

    private Map<String, Long> memcachedStats() throws IOException {
        return memcachedStats(memcachedPort);
    }

    /** memcached's numeric {@code stats} (curr_items, cmd_set, bytes_read, ...). */
    static Map<String, Long> memcachedStats(int memcachedPort) throws IOException {
        Map<String, Long> stats = new HashMap<>();
        try (Socket s = new Socket("127.0.0.1", memcachedPort)) {
            s.setSoTimeout(5000);
            OutputStream o = s.getOutputStream();
            o.write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null && !line.equals("END"); line = in.readLine()) {
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[2].matches("[0-9]+")) {
                    stats.put(parts[1], Long.parseLong(parts[2]));
                }
            }
        }
        return stats;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- results

    /** The mean of the rounds, per configuration and workload. */
    static List<Result> merge(List<Result> all) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : all) {
            groups.computeIfAbsent(r.config + "/" + r.workload, k -> new ArrayList<>()).add(r);
        }
        List<Result> out = new ArrayList<>();
        for (List<Result> g : groups.values()) {
            Result m = new Result(g.get(0).config, g.get(0).workload);
            for (Result r : g) {
                m.rps += r.rps / g.size();
                m.p50Millis += r.p50Millis / g.size();
                m.p99Millis += r.p99Millis / g.size();
                m.opsPerRequest += r.opsPerRequest / g.size();
                m.serverCpuMicros += r.serverCpuMicros / g.size();
                m.replicationCpuMicros += r.replicationCpuMicros / g.size();
                m.memcachedCpuMicros += r.memcachedCpuMicros / g.size();
                m.bytesPerRequest += r.bytesPerRequest / g.size();
                m.setsPerRequest += r.setsPerRequest / g.size();
                m.requests += r.requests;
            }
            out.add(m);
        }
        out.sort((a, b) -> a.workload != b.workload ? a.workload.compareTo(b.workload) : a.config.compareTo(b.config));
        return out;
    }

    private static Result find(List<Result> results, Config c, Workload w) {
        for (Result r : results) {
            if (r.config == c && r.workload == w) {
                return r;
            }
        }
        return null;
    }

    String report(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d round(s) of %d s per workload after %d s of warm-up; wrk -t2 -c%d over %d"
                + " sessions per size; mean of the rounds.%n%n", rounds, seconds, warmup, connections, sessions));
        for (Workload w : Workload.values()) {
            if (w.cold) {
                continue; // its own section below, with CPU per write
            }
            Result base = find(results, Config.NONE, w);
            Result msmJava = find(results, Config.MSM_JAVA, w);
            Result msmKryo = find(results, Config.MSM_KRYO, w);
            sb.append("**").append(w.label).append("** (`").append(w.path).append("`)\n\n");
            sb.append("| configuration | requests/s | vs no agent | vs msm (Java) | vs msm (Kryo) | p50 ms | p99 ms |"
                    + " memcached ops/request | bytes to memcached/request | server CPU µs/request | of which replication"
                    + " threads | memcached CPU µs/request |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Config c : Config.values()) {
                Result r = find(results, c, w);
                if (r == null) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %s | %.2f | %.2f | %.2f | %.0f | %.1f | %.1f | %.1f |%n",
                        c.label, r.rps, ratio(r, base), ratio(r, msmJava), ratio(r, msmKryo), r.p50Millis, r.p99Millis,
                        r.opsPerRequest, r.bytesPerRequest, r.serverCpuMicros, r.replicationCpuMicros, r.memcachedCpuMicros));
            }
            sb.append('\n');
        }
        if (coldSessions > 0) {
            sb.append(ColdSessions.report(results, Workload.COLD_2K, coldSessions));
        }
        if (latency != null) {
            sb.append(latency.report(Workload.WRITE_2K.path));
        }
        return sb.toString();
    }

    private static String ratio(Result r, Result base) {
        return base == null || base.rps == 0 ? "-" : String.format(Locale.ROOT, "%.2f×", r.rps / base.rps);
    }

    /** Grouped bars: requests/s (left) and p99 latency (right) per workload and configuration. */
    static void chart(List<Result> results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int width = 1200;
        int height = 520;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Color[] colors = {new Color(0x9E9E9E), new Color(0x1E88E5), new Color(0x43A047), new Color(0xFB8C00),
            new Color(0xE53935)};
        panel(g, results, 20, "requests/s (higher is better)", r -> r.rps, "%.0f", colors);
        panel(g, results, 620, "p99 latency, ms (lower is better)", r -> r.p99Millis, "%.1f", colors);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = 40;
        for (Config c : Config.values()) {
            g.setColor(colors[c.ordinal()]);
            g.fillRect(x, height - 28, 14, 14);
            g.setColor(Color.DARK_GRAY);
            g.drawString(c.label, x + 20, height - 16);
            x += 40 + g.getFontMetrics().stringWidth(c.label);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void panel(Graphics2D g, List<Result> results, int left, String title,
                              java.util.function.ToDoubleFunction<Result> value, String format, Color[] colors) {
        int top = 50;
        int bottom = 420;
        int w = 560;
        double max = 0;
        for (Result r : results) {
            max = Math.max(max, value.applyAsDouble(r));
        }
        max = max <= 0 ? 1 : max * 1.15;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left + 10, 30);
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.LIGHT_GRAY);
        g.drawLine(left + 10, bottom, left + w, bottom);
        int groups = Workload.values().length;
        int groupWidth = (w - 20) / groups;
        int barWidth = (groupWidth - 20) / Config.values().length;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (Workload wl : Workload.values()) {
            int gx = left + 20 + wl.ordinal() * groupWidth;
            for (Config c : Config.values()) {
                Result r = find(results, c, wl);
                if (r == null) {
                    continue;
                }
                double v = value.applyAsDouble(r);
                int h = (int) ((bottom - top) * v / max);
                int bx = gx + c.ordinal() * barWidth;
                g.setColor(colors[c.ordinal()]);
                g.fillRect(bx, bottom - h, barWidth - 3, h);
                g.setColor(Color.DARK_GRAY);
                String label = String.format(Locale.ROOT, format, v);
                g.drawString(label, bx + (barWidth - 3 - g.getFontMetrics().stringWidth(label)) / 2, bottom - h - 3);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            String[] words = wl.label.split(", ");
            for (int i = 0; i < words.length; i++) {
                g.drawString(words[i], gx, bottom + 18 + 15 * i);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        }
    }
}
