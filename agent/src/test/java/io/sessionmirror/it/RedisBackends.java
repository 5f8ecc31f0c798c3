package io.sessionmirror.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Redis in its three forms as a {@link Backend}: standalone, a cluster of masters, the master its Sentinels name.
 *
 * <p>The counts come from {@code INFO commandstats}, which counts the commands a Lua script runs as well. The
 * store's conditional write is a script ({@code SET_IF_UNCHANGED}) that reaches its one {@code SET} only when the
 * compare held, so {@code cmdstat_set} counts exactly the writes that stored (a refused compare or a GET counts
 * nothing), as memcached's {@code cmd_set} does for cas/add/set. A touch is the touch script's {@code PEXPIRE}
 * (or {@code PERSIST} for no lifetime). Both are exact in the modes without session locks; with {@code lock=...}
 * the lock script's {@code SET NX} and {@code PEXPIRE} would count too, and no test of those modes reads them.
 */
final class RedisBackends {

    private RedisBackends() {
    }

    /** One standalone redis-server. */
    static Backend standalone(Redis redis) {
        return new RedisBackend("standalone", redis.uri(), version(redis)) {
            @Override
            List<Redis> counted() {
                return List.of(redis);
            }

            @Override
            public byte[] get(String key) throws IOException {
                return redis.get(key);
            }
        };
    }

    /** A cluster of masters: a key is read where its slot lives, the counts are the sum over the masters. */
    static Backend cluster(RedisCluster cluster) {
        return new RedisBackend("cluster of " + cluster.masters().size() + " masters", cluster.uri(),
                version(cluster.masters().get(0))) {
            @Override
            List<Redis> counted() {
                return cluster.masters();
            }

            @Override
            public byte[] get(String key) throws IOException {
                return cluster.get(key);
            }

            @Override
            public int barrierRounds() {
                return 2; // one batch spreads over the masters' connections
            }
        };
    }

    /**
     * The master the Sentinels name now. Only the master's counts: a replica applies the master's writes as
     * commands of its own (effects replication), so summing both would count each write twice.
     */
    static Backend sentinel(RedisSentinel sentinel) throws IOException {
        return new RedisBackend("Sentinel, master + 1 replica", sentinel.uri(), version(sentinel.master())) {
            @Override
            List<Redis> counted() throws IOException {
                return List.of(sentinel.master());
            }

            @Override
            public byte[] get(String key) throws IOException {
                return sentinel.master().get(key);
            }
        };
    }

    /** {@code INFO commandstats}' call count of {@code command} on {@code r} (0 when never called). */
    static long calls(Redis r, String command) throws IOException {
        String stats = new String((byte[]) RespClient.check(r.command("INFO", "commandstats")), StandardCharsets.UTF_8);
        String prefix = "cmdstat_" + command + ":calls=";
        for (String line : stats.split("\r\n")) {
            if (line.startsWith(prefix)) {
                int end = line.indexOf(',', prefix.length());
                return Long.parseLong(line.substring(prefix.length(), end < 0 ? line.length() : end));
            }
        }
        return 0;
    }

    /** The server's own version (INFO server redis_version), e.g. 7.0.15. */
    static String version(Redis r) {
        try {
            return r.info("server", "redis_version");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private abstract static class RedisBackend implements Backend {
        private final String form;
        private final String uri;
        /** Read at the start: the label is asked for after the test too, when the servers may be gone. */
        private final String version;

        RedisBackend(String form, String uri, String version) {
            this.form = form;
            this.uri = uri;
            this.version = version;
        }

        /** The instances whose command counts are the store's. */
        abstract List<Redis> counted() throws IOException;

        @Override
        public String agentOptions() {
            return "nodes=" + uri;
        }

        @Override
        public byte[] await(String key, Predicate<byte[]> condition, Duration timeout) throws Exception {
            byte[][] last = new byte[1][];
            Poll.until("redis key " + key + " in the expected state", timeout, () -> {
                last[0] = get(key);
                return condition.test(last[0]);
            });
            return last[0];
        }

        @Override
        public long writes() throws IOException {
            long n = 0;
            for (Redis r : counted()) {
                n += calls(r, "set");
            }
            return n;
        }

        @Override
        public long touches() throws IOException {
            long n = 0;
            for (Redis r : counted()) {
                n += calls(r, "pexpire") + calls(r, "persist") + calls(r, "expire");
            }
            return n;
        }

        @Override
        public String[] label() {
            return new String[] {"Redis", form, version};
        }
    }
}
