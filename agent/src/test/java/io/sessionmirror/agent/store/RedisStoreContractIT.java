package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.redis.RedisStore;
import io.sessionmirror.it.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The store contract on a real standalone redis-server: the Redis store must behave as the others do. */
class RedisStoreContractIT extends SessionStoreContract {

    private Redis redis;
    private RedisStore store;

    @BeforeEach
    void start() throws Exception {
        redis = Redis.start();
        store = new RedisStore(RedisUri.parse(redis.uri()), 5000, new Counters(), null, null, StoredCopyOrder.INSTANCE);
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        redis.close();
    }

    @Override
    SessionStore store() {
        return store;
    }
}
