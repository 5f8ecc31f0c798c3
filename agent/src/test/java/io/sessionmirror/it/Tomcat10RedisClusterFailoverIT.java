package io.sessionmirror.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The failover contract on Tomcat 10.1 with a Redis Cluster of 3 masters as the store
 * (nodes=redis-cluster://...): a session's key and its tombstone live on whichever master owns the slot.
 */
class Tomcat10RedisClusterFailoverIT extends Tomcat10FailoverIT {

    private static RedisCluster cluster;

    /** Runs after ServerTest's own: this class's servers mirror to the cluster, not to the memcached it started. */
    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(3);
        backend = RedisBackends.cluster(cluster);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
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
