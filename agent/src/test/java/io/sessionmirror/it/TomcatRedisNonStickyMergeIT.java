package io.sessionmirror.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** {@link AbstractNonStickyMergeIT} on Tomcat 10.1 with Redis as the store: the merge written by compare-and-set. */
class TomcatRedisNonStickyMergeIT extends TomcatNonStickyMergeIT {

    private final List<Redis> started = new ArrayList<>();
    private String[] label = {"Redis", "standalone", "unknown"};

    @Override
    protected String storeOptions() throws Exception {
        Redis redis = Redis.start();
        started.add(redis);
        Backend store = RedisBackends.standalone(redis);
        label = store.label();
        return store.agentOptions();
    }

    @AfterEach
    void stopRedis() throws Exception {
        for (Redis r : started) {
            r.close();
        }
        started.clear();
    }

    @Override
    public String[] backendLabel() {
        return label;
    }
}
