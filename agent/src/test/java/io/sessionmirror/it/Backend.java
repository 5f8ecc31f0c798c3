package io.sessionmirror.it;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The store a test's servers mirror to, as the failover contract sees it: how the agent is pointed at it, how a
 * test reads what is stored, and the write and touch counts that prove "one write per change". One implementation
 * per backend form, so {@link AbstractFailoverIT} runs unchanged on each ({@link #memcached}, a Redis in its
 * forms, ...). The label names the backend in the compatibility matrix.
 */
interface Backend {

    /** The agent options that point at this store ({@code nodes=...} and whatever else it needs). */
    String agentOptions();

    /** The stored value of {@code key}, or null. */
    byte[] get(String key) throws Exception;

    /** Waits until the value of {@code key} satisfies {@code condition} (null: absent); returns the last value. */
    byte[] await(String key, Predicate<byte[]> condition, Duration timeout) throws Exception;

    /** Writes the store has taken so far (each conditional write that stored counts once). */
    long writes() throws Exception;

    /** Expiry extensions (touches) the store has taken so far. */
    long touches() throws Exception;

    /**
     * How many barrier sessions {@link WriteBarrier} writes one after the other so that everything queued before
     * has landed. One where the writer's writes reach the store over one ordered connection per key's home; two
     * where one batch of writes spreads over several connections (a Redis Cluster: the barrier's copy may land
     * on its master while an earlier write of the same batch is still on its way to another). The writer starts
     * a batch only once the one before is answered, so the second barrier's copy comes after all of it.
     */
    default int barrierRounds() {
        return 1;
    }

    /** Kind, form and version, e.g. {"Memcached", "plain", "1.6.18"}: a row of the backend matrix. */
    String[] label();

    /** The test class's memcached, as a backend. */
    static Backend memcached(Memcached m) {
        return new Backend() {
            @Override
            public String agentOptions() {
                return "nodes=" + m.address();
            }

            @Override
            public byte[] get(String key) throws IOException {
                return m.get(key);
            }

            @Override
            public byte[] await(String key, Predicate<byte[]> condition, Duration timeout) throws Exception {
                return m.await(key, condition, timeout);
            }

            @Override
            public long writes() throws IOException {
                return m.stat("cmd_set"); // cas and add count as sets in memcached's stats
            }

            @Override
            public long touches() throws IOException {
                return m.stat("cmd_touch");
            }

            @Override
            public String[] label() {
                return new String[] {"Memcached", "plain", memcachedVersion()};
            }
        };
    }

    /** The version of the installed memcached ({@code memcached -V} prints "memcached 1.6.18"). */
    static String memcachedVersion() {
        return CompatibilityRecorder.versionOf("memcached", "-V");
    }
}
