package io.sessionmirror.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The failover contract on Jetty 12.1 (ee10) with Redis behind Sentinel as the store
 * (nodes=redis-sentinel://.../sessions): the agent asks the Sentinels for the master and writes there.
 */
class Jetty121Ee10RedisSentinelFailoverIT extends Jetty121Ee10FailoverIT {

    private static RedisSentinel sentinel;

    /** Runs after ServerTest's own: this class's servers mirror to the Sentinels' master, not to memcached. */
    @BeforeAll
    static void startSentinel() throws Exception {
        sentinel = RedisSentinel.start(1);
        backend = RedisBackends.sentinel(sentinel);
    }

    @AfterAll
    static void stopSentinel() throws Exception {
        sentinel.close();
    }

    /**
     * This contract counts writes: a call that times out may still land, and is then written again (a second
     * write of one change, see failures.md). On this 2-core CI machine a starting server JVM once stalled Redis
     * calls past the default 1 s; the outage behaviour itself is RedisOutageIT's, with a short timeout.
     */
    @Override
    protected String options() {
        return super.options() + ",timeout=3000";
    }
}
