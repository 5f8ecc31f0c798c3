package io.sessionmirror.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The failover contract on Tomcat 10.1 with a standalone Redis as the store (nodes=redis://...). */
class Tomcat10RedisFailoverIT extends Tomcat10FailoverIT {

    private static Redis redis;

    /** Runs after ServerTest's own: this class's servers mirror to Redis, not to the memcached it started. */
    @BeforeAll
    static void startRedis() throws Exception {
        redis = Redis.start();
        backend = RedisBackends.standalone(redis);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
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
