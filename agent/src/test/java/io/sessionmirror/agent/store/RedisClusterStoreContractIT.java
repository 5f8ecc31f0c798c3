package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.redis.RedisStore;
import io.sessionmirror.it.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract on a real 3-master Redis Cluster, found from one seed node (the store is one logical
 * node, whatever the number of masters). The cluster is made once; each test starts from an empty one.
 */
class RedisClusterStoreContractIT extends SessionStoreContract {

    private static RedisCluster cluster;
    private RedisStore store;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(3);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @BeforeEach
    void start() throws Exception {
        for (io.sessionmirror.it.Redis r : cluster.masters()) {
            r.command("FLUSHALL");
        }
        store = new RedisStore(RedisUri.parse("redis-cluster://" + cluster.masters().get(0).address()), 5000,
                new Counters(), null, null, StoredCopyOrder.INSTANCE);
    }

    @AfterEach
    void stop() {
        store.close();
    }

    @Override
    SessionStore store() {
        return store;
    }
}
