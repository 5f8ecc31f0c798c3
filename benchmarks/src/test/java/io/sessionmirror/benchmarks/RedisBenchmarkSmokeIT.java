package io.sessionmirror.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis benchmark end to end, one second per workload, read-only and 2 KB writes: every configuration starts on
 * Tomcat 10.1, serves, and (but no agent) stores every session it created in the real redis-server; the write
 * workload sends Redis writes; the report is written. Timings are not checked: this machine is shared.
 */
class RedisBenchmarkSmokeIT {

    /**
     * All but Redisson's MEMORY + AFTER_REQUEST mode, to stay under a minute: its set-up differs from the default
     * mode's in two attribute values only (RedissonSetup).
     */
    private static final List<RedisBenchmark.Config> CONFIGS = List.of(RedisBenchmark.Config.NONE,
            RedisBenchmark.Config.REDISSON, RedisBenchmark.Config.SM_ASYNC, RedisBenchmark.Config.SM_SYNC);

    @Test
    void everyConfigurationServesAndStoresItsSessionsInRedis() throws Exception {
        Path out = Paths.get(System.getProperty("bench.out"));
        RedisBenchmark b = new RedisBenchmark(Paths.get(System.getProperty("bench.root")).toAbsolutePath().normalize(),
                out, 1, 1, 1, 4, 4, CONFIGS, List.of(ServerBenchmark.Workload.READ, ServerBenchmark.Workload.WRITE_2K));
        List<RedisBenchmark.Result> results = b.run();
        assertEquals(CONFIGS.size() * 2, results.size());
        for (RedisBenchmark.Result r : results) {
            String what = r.config.label + ", " + r.workload.label;
            assertTrue(r.rps > 0 && r.requests > 0 && r.p99Millis > 0, what + ": served");
            if (r.config == RedisBenchmark.Config.NONE) {
                assertEquals(0.0, r.commandsPerRequest, 0.0, what + ": no Redis traffic " + r.commands);
                assertEquals(0, r.keys, what + ": nothing in Redis");
                continue;
            }
            assertEquals(b.sessions, r.sessionsCreated, what);
            assertEquals(r.sessionsCreated, r.sessionsStored, what + ": every session created is in Redis");
            assertTrue(r.serverCpuMicros > 0, what + ": CPU measured");
            if (r.config.redisson() || r.config == RedisBenchmark.Config.SM_SYNC
                    && r.workload == ServerBenchmark.Workload.WRITE_2K) {
                // Redisson's threads work on every request; Session Mirror's Redis client's threads on every sync
                // write (async writes in a one-second run may stay under the 10 ms tick of /proc).
                assertTrue(r.replicationCpuMicros > 0, what + ": replication threads found");
            }
            if (r.workload == ServerBenchmark.Workload.WRITE_2K) {
                double writes = r.commands.getOrDefault("hset", 0.0) + r.commands.getOrDefault("hmset", 0.0)
                        + r.commands.getOrDefault("set", 0.0) + r.commands.getOrDefault("evalsha", 0.0)
                        + r.commands.getOrDefault("eval", 0.0);
                assertTrue(writes > 0, what + ": the write workload writes to Redis: " + r.commands);
            }
            if (r.config == RedisBenchmark.Config.SM_SYNC && r.workload == ServerBenchmark.Workload.WRITE_2K) {
                double sets = r.commands.getOrDefault("set", 0.0) + r.commands.getOrDefault("eval", 0.0)
                        + r.commands.getOrDefault("evalsha", 0.0);
                assertTrue(sets > 0.8, what + ": sync writes every request: " + r.commands);
            }
            if (r.config == RedisBenchmark.Config.SM_ASYNC && r.workload == ServerBenchmark.Workload.READ) {
                assertTrue(r.commandsPerRequest < 0.1, what + ": read-only requests cost Session Mirror no Redis call: "
                        + r.commands);
            }
            if (r.config.redisson()) {
                // Redisson writes the session's access times on every request, reads included (seen: 18-26 commands).
                assertTrue(r.commandsPerRequest >= 2, what + ": " + r.commands);
            }
        }
        String md = new String(Files.readAllBytes(out.resolve("redis-results.md")), StandardCharsets.UTF_8);
        for (RedisBenchmark.Config c : CONFIGS) {
            assertTrue(md.contains("| " + c.label + " |"), md);
        }
        assertTrue(md.contains("Redis commands per request") && md.contains("vs Redisson (REDIS, DEFAULT)"), md);
        Map<RedisBenchmark.Config, RedisBenchmark.Result> write = RedisBenchmark.of(results,
                ServerBenchmark.Workload.WRITE_2K);
        assertEquals(CONFIGS.size(), write.size());
    }
}
