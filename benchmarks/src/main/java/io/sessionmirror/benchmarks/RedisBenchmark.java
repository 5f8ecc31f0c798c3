package io.sessionmirror.benchmarks;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The server benchmark against the Redis-side anchor (issue 18): Tomcat 10.1 with the jakarta demo shop and one real
 * redis-server, with no agent, with Redisson's Tomcat session manager (its documented default modes, and the modes
 * its README gives for attributes changed in place) and with Session Mirror async and sync on {@code redis://};
 * the hot-session workloads of {@link ServerBenchmark} (its sessions, wrk script and wrk parsing, called, not
 * copied). Per configuration and workload: requests/s, p50/p99, CPU per request of the server (and of its
 * replication threads) and of redis-server, and Redis commands per request from {@code INFO commandstats}.
 * <pre>
 *   benchmarks/run.sh --redis [--seconds 15] [--warmup 5] [--rounds 2] [--connections 16] [--sessions 32] [--smoke]
 * </pre>
 */
public final class RedisBenchmark {

    static final String TOMCAT10_DIR = "benchmarks/target/tomcat10";
    static final String JAKARTA_WAR = "demo-apps/shop-webapp-jakarta/target/shop.war";
    /** Redisson's manager and its dependencies (demo-apps/servers/redisson-tomcat-10). */
    static final String REDISSON_DIR = "demo-apps/servers/redisson-tomcat-10/target/lib";
    static final String REDISSON_VERSION = "3.52.0";

    /**
     * Threads that only replicate: Session Mirror's writer and helpers and its Redis client's I/O threads; Redisson's
     * Netty event loops ({@code redisson-netty-N-M}), its executor ({@code redisson-N-M}) and timer
     * ({@code redisson-timer-N-M}). Linux shows the first 15 characters of a Java thread's name.
     */
    static final String[] REPLICATION_THREADS = {"session-mirror", "redisson", "lettuce"};

    enum Config {
        NONE("no agent"),
        REDISSON("Redisson (REDIS, DEFAULT)"),
        REDISSON_MEMORY("Redisson (MEMORY, AFTER_REQUEST)"),
        SM_ASYNC("Session Mirror async"),
        SM_SYNC("Session Mirror sync");

        final String label;

        Config(String label) {
            this.label = label;
        }

        boolean redisson() {
            return this == REDISSON || this == REDISSON_MEMORY;
        }
    }

    /** The hot-session workloads of the Tomcat 9 benchmark (not its cold one). */
    static final List<ServerBenchmark.Workload> WORKLOADS = List.of(ServerBenchmark.Workload.READ,
            ServerBenchmark.Workload.WRITE_2K, ServerBenchmark.Workload.WRITE_20K);

    static final class Result {
        final Config config;
        final ServerBenchmark.Workload workload;
        double rps;
        double p50Millis;
        double p99Millis;
        long requests;
        double serverCpuMicros;
        double replicationCpuMicros;
        double redisCpuMicros;
        double commandsPerRequest;
        double bytesPerRequest;
        /** Calls per request of each Redis command the configuration used, by name. */
        final Map<String, Double> commands = new TreeMap<>();
        /** Keys in Redis when the configuration's run ended. */
        long keys;
        /** Of the sessions the run created, those whose id is in a Redis key when the run ended: stored. */
        int sessionsStored;
        /** The sessions the run created (both sizes). */
        int sessionsCreated;

        Result(Config config, ServerBenchmark.Workload workload) {
            this.config = config;
            this.workload = workload;
        }
    }

    private final Path root;
    private final Path out;
    private final int seconds;
    private final int warmup;
    private final int rounds;
    private final List<Config> configs;
    private final List<ServerBenchmark.Workload> workloads;
    /** The Tomcat 9 benchmark, for its session creation, wrk runs and wrk parsing. */
    private final ServerBenchmark hot;
    final int sessions;
    private final int connections;
    private RedisServer redis;

    RedisBenchmark(Path root, Path out, int seconds, int warmup, int rounds, int connections, int sessions,
                   List<Config> configs, List<ServerBenchmark.Workload> workloads) {
        this.root = root;
        this.out = out;
        this.seconds = seconds;
        this.warmup = warmup;
        this.rounds = rounds;
        this.sessions = sessions;
        this.connections = connections;
        this.configs = configs;
        this.workloads = workloads;
        this.hot = new ServerBenchmark(root, out, seconds, warmup, rounds, connections, sessions, 0, false);
    }

    public static void main(String[] args) throws Exception {
        Path root = Paths.get(".");
        Path out = null;
        int seconds = 15;
        int warmup = 5;
        int rounds = 2;
        int connections = 16;
        int sessions = 32;
        List<Config> configs = List.of(Config.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root": root = Paths.get(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                case "--seconds": seconds = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--connections": connections = Integer.parseInt(args[++i]); break;
                case "--sessions": sessions = Integer.parseInt(args[++i]); break;
                case "--smoke": seconds = 1; warmup = 1; rounds = 1; sessions = 4; connections = 4; break;
                case "--configs": configs = configs(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; accepted: --root DIR --out DIR --seconds N --warmup N --rounds N --connections N"
                        + " --sessions N --configs none,redisson,redisson_memory,sm_async,sm_sync --smoke");
            }
        }
        root = root.toAbsolutePath().normalize();
        if (out == null) {
            out = root.resolve("demo-run/benchmark");
        }
        RedisBenchmark b = new RedisBenchmark(root, out, seconds, warmup, rounds, connections, sessions,
                configs, WORKLOADS);
        List<Result> results = b.run();
        System.out.println(new RedisReport(b.header(), results).markdown());
    }

    /** A comma-separated list of configuration names, e.g. {@code none,redisson}. */
    static List<Config> configs(String names) {
        List<Config> list = new ArrayList<>();
        for (String n : names.split(",")) {
            list.add(Config.valueOf(n.trim().toUpperCase(Locale.ROOT)));
        }
        return list;
    }

    private String header() {
        return String.format(Locale.ROOT, "Tomcat 10.1, jakarta demo shop, redis-server (no persistence), Redisson %s;"
                + " %d round(s) of %d s per workload after %d s of warm-up; wrk -t2 -c%d over %d sessions per size;"
                + " mean of the rounds.", REDISSON_VERSION, rounds, seconds, warmup, connections, sessions);
    }

    List<Result> run() throws Exception {
        Files.createDirectories(out);
        ServerBenchmark.requireBuilt(root, ServerBenchmark.AGENT_JAR, ServerBenchmark.LAUNCHER_JAR, JAKARTA_WAR,
                TOMCAT10_DIR, REDISSON_DIR);
        List<Result> all = new ArrayList<>();
        redis = RedisServer.start();
        try {
            for (int round = 1; round <= rounds; round++) {
                for (Config c : configs) {
                    all.addAll(runConfig(c, round));
                }
            }
        } finally {
            redis.close();
        }
        List<Result> merged = merge(all);
        Files.write(out.resolve("redis-results.md"), new RedisReport(header(), merged).markdown()
                .getBytes(StandardCharsets.UTF_8));
        return merged;
    }

    private List<Result> runConfig(Config c, int round) throws Exception {
        Path dir = out.resolve("redis-round" + round + "-" + c.name().toLowerCase(Locale.ROOT));
        Files.createDirectories(dir);
        redis.flushAll(); // each configuration's keys are its own
        int port = ServerBenchmark.freePort();
        Process server = startServer(c, port, dir);
        List<Result> results = new ArrayList<>();
        try {
            Path small = hot.createSessions(port, 2 * 1024, dir.resolve("cookies-2k.txt"));
            Path big = workloads.stream().anyMatch(w -> w.big)
                    ? hot.createSessions(port, 20 * 1024, dir.resolve("cookies-20k.txt")) : null;
            Path script = ServerBenchmark.hotScript(dir);
            for (ServerBenchmark.Workload w : workloads) {
                String url = "http://127.0.0.1:" + port + w.path;
                Path cookies = w.big ? big : small;
                hot.wrk(url, cookies, warmup, script); // warm-up: JIT, pools, Redis connections
                quiet();
                Map<String, Long> before = redis.commandCalls();
                long bytesBefore = redis.bytesIn();
                long[] cpuBefore = cpu(server);
                String output = hot.wrk(url, cookies, seconds, script);
                quiet(); // let asynchronous writes of the last requests land
                long[] cpuAfter = cpu(server);
                Map<String, Long> after = redis.commandCalls();
                long bytesAfter = redis.bytesIn();
                ServerBenchmark.Result parsed = new ServerBenchmark.Result(null, w);
                ServerBenchmark.parseWrk(output, parsed);
                Result r = new Result(c, w);
                r.rps = parsed.rps;
                r.p50Millis = parsed.p50Millis;
                r.p99Millis = parsed.p99Millis;
                r.requests = parsed.requests;
                r.serverCpuMicros = ServerBenchmark.microsPerRequest(cpuAfter[0] - cpuBefore[0], r.requests);
                r.replicationCpuMicros = ServerBenchmark.microsPerRequest(cpuAfter[1] - cpuBefore[1], r.requests);
                r.redisCpuMicros = ServerBenchmark.microsPerRequest(cpuAfter[2] - cpuBefore[2], r.requests);
                long total = 0;
                for (Map.Entry<String, Long> e : after.entrySet()) {
                    long calls = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                    if (calls > 0 && r.requests > 0) {
                        r.commands.put(e.getKey(), (double) calls / r.requests);
                        total += calls;
                    }
                }
                r.commandsPerRequest = r.requests == 0 ? 0 : (double) total / r.requests;
                r.bytesPerRequest = r.requests == 0 ? 0 : (double) (bytesAfter - bytesBefore) / r.requests;
                results.add(r);
                System.out.printf(Locale.ROOT, "round %d  %-34s %-36s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms"
                        + "  %5.2f Redis cmds/req  %7.0f B/req  CPU/req: server %5.1f us (replication %5.1f), redis %5.1f us"
                        + "  %s%n", round, c.label, w.label, r.rps, r.p50Millis, r.p99Millis, r.commandsPerRequest,
                        r.bytesPerRequest, r.serverCpuMicros, r.replicationCpuMicros, r.redisCpuMicros,
                        RedisReport.commands(r));
            }
            long keys = redis.dbSize();
            List<String> ids = new ArrayList<>(Files.readAllLines(small));
            if (big != null) {
                ids.addAll(Files.readAllLines(big));
            }
            int stored = stored(ids, redis.keys());
            for (Result r : results) {
                r.keys = keys;
                r.sessionsCreated = ids.size();
                r.sessionsStored = stored;
            }
            System.out.printf(Locale.ROOT, "round %d  %-34s %d keys in Redis; %d of the %d sessions created stored%n",
                    round, c.label, keys, stored, ids.size());
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        return results;
    }

    /** How many of the session ids are part of some key (every store's key names the session id). */
    static int stored(List<String> ids, List<String> keys) {
        int n = 0;
        for (String id : ids) {
            if (keys.stream().anyMatch(k -> k.contains(id))) {
                n++;
            }
        }
        return n;
    }

    private long[] cpu(Process server) {
        return new long[] {ServerBenchmark.cpuTicks(server.pid(), null),
            ServerBenchmark.cpuTicks(server.pid(), REPLICATION_THREADS), ServerBenchmark.cpuTicks(redis.pid(), null)};
    }

    /**
     * Waits (at most 5 s) until Redis has seen no command for 300 ms: the writes an asynchronous manager still had
     * queued have landed. Redis' own counters say so, not a fixed pause.
     */
    private void quiet() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long last = total(redis.commandCalls());
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50); // polling interval
            long now = total(redis.commandCalls());
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(300)) {
                return;
            }
        }
    }

    private static long total(Map<String, Long> calls) {
        long sum = 0;
        for (long v : calls.values()) {
            sum += v;
        }
        return sum;
    }

    private Process startServer(Config c, int port, Path dir) throws Exception {
        List<String> jvmOptions = new ArrayList<>();
        String extraClassPath = null;
        List<String> launcherArgs = new ArrayList<>();
        if (c == Config.SM_ASYNC || c == Config.SM_SYNC) {
            jvmOptions.add("-javaagent:" + root.resolve(ServerBenchmark.AGENT_JAR) + "=nodes=redis://127.0.0.1:"
                    + redis.port + ",write=" + (c == Config.SM_ASYNC ? "async" : "sync"));
        } else if (c.redisson()) {
            extraClassPath = root.resolve(REDISSON_DIR) + File.separator + "*";
            Path xml = RedissonSetup.write(dir, redis.port, c == Config.REDISSON_MEMORY);
            launcherArgs.addAll(List.of("--context-xml", xml.toString()));
        }
        List<String> cmd = ServerBenchmark.tomcatCommand(root, TOMCAT10_DIR, JAKARTA_WAR, jvmOptions, extraClassPath,
                port, dir, launcherArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile())
                .start();
        ServerBenchmark.awaitStarted(java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
                p, port, 100, c.label, dir.resolve("server.log"));
        return p;
    }

    /** The mean of the rounds, per configuration and workload. */
    static List<Result> merge(List<Result> all) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : all) {
            groups.computeIfAbsent(r.config + "/" + r.workload, k -> new ArrayList<>()).add(r);
        }
        List<Result> merged = new ArrayList<>();
        for (List<Result> g : groups.values()) {
            Result m = new Result(g.get(0).config, g.get(0).workload);
            Map<String, Double> commands = new TreeMap<>();
            for (Result r : g) {
                m.rps += r.rps / g.size();
                m.p50Millis += r.p50Millis / g.size();
                m.p99Millis += r.p99Millis / g.size();
                m.serverCpuMicros += r.serverCpuMicros / g.size();
                m.replicationCpuMicros += r.replicationCpuMicros / g.size();
                m.redisCpuMicros += r.redisCpuMicros / g.size();
                m.commandsPerRequest += r.commandsPerRequest / g.size();
                m.bytesPerRequest += r.bytesPerRequest / g.size();
                m.requests += r.requests;
                m.keys = Math.max(m.keys, r.keys);
                m.sessionsCreated += r.sessionsCreated;
                m.sessionsStored += r.sessionsStored;
                r.commands.forEach((k, v) -> commands.merge(k, v / g.size(), Double::sum));
            }
            m.commands.putAll(commands);
            merged.add(m);
        }
        merged.sort((a, b) -> a.workload != b.workload ? a.workload.compareTo(b.workload)
                : a.config.compareTo(b.config));
        return merged;
    }

    /** Results by configuration for one workload (for the report and the smoke test). */
    static Map<Config, Result> of(List<Result> results, ServerBenchmark.Workload w) {
        Map<Config, Result> m = new EnumMap<>(Config.class);
        for (Result r : results) {
            if (r.workload == w) {
                m.put(r.config, r);
            }
        }
        return m;
    }
}
