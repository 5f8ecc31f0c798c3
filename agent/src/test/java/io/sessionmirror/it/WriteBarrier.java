package io.sessionmirror.it;

import io.sessionmirror.agent.core.SessionKeys;
import java.time.Duration;

/**
 * Waits, without sleeping, until every write and touch a server's agent queued before the call has reached
 * memcached: a fresh session's first copy goes through the same queue, which is drained in order (one writer
 * thread, pipelined on one connection per node), so once that copy is in memcached, everything queued before it
 * is too. In {@code write=sync} mode the writes happen before each response anyway and the barrier is just one
 * more request. Costs exactly one storage command ({@code cmd_set}) and one session of /shop on that server.
 * Not covered: a write that waits out {@code write.interval} (a session written moments before) may land after
 * the barrier's; wait for such a session's own copy instead.
 */
final class WriteBarrier {

    private static final SessionKeys KEYS = new SessionKeys("sm");

    private WriteBarrier() {
    }

    /** Returns the key of the barrier's own session (for a test that lists the keys). */
    static String await(ServerProcess server, Memcached memcached, Duration timeout) throws Exception {
        return await(server, Backend.memcached(memcached), timeout);
    }

    /**
     * As above, on any backend: the last barrier's copy lands after everything queued before the call (one
     * barrier session per {@link Backend#barrierRounds()}, each one storage write).
     */
    static String await(ServerProcess server, Backend store, Duration timeout) throws Exception {
        String key = null;
        for (int i = 0; i < store.barrierRounds(); i++) {
            key = awaitOne(server, store, timeout);
        }
        return key;
    }

    private static String awaitOne(ServerProcess server, Backend store, Duration timeout) throws Exception {
        Browser probe = new Browser();
        probe.get(server.url("/shop/counter?format=text"));
        String id = probe.sessionId();
        if (id == null) {
            throw new AssertionError("server " + server.name() + " gave the barrier's request no session");
        }
        String key = KEYS.key(KEYS.namespace(null, "/shop"), id);
        store.await(key, Memcached.containsAll("visits"), timeout);
        return key;
    }
}
