package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.redis.RedisStore;
import io.sessionmirror.it.Poll;
import io.sessionmirror.it.Redis;
import io.sessionmirror.it.RedisSentinel;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Redis store behind Sentinel: a failover while writing is followed, and announced. */
class RedisSentinelStoreIT {

    @Test
    void aFailoverWhileWritingMovesTheWritesToTheNewMaster() throws Exception {
        try (RedisSentinel sentinel = RedisSentinel.start(1);
             RedisStore store = new RedisStore(RedisUri.parse(sentinel.uri()), 1000, new Counters(), null, null,
                     StoredCopyOrder.INSTANCE)) {
            LinkedBlockingQueue<Boolean> recovered = new LinkedBlockingQueue<>();
            store.addListener((node, emptied) -> recovered.add(emptied));
            Redis before = sentinel.master();
            long round = store.probeRounds();
            Poll.until("a probe round saw the master", Duration.ofSeconds(10), () -> store.probeRounds() > round);
            store.set(SessionStoreContract.KEY, SessionStoreContract.copy(1), 60);

            Redis after = sentinel.failover();
            assertNotEquals(before.port(), after.port());
            // keep writing: some writes may fail while the client finds the new master, then they land there
            int[] version = {1};
            String[] lastError = {null};
            Poll.untilNothingPending(Duration.ofSeconds(30), () -> {
                byte[] written = SessionStoreContract.copy(++version[0]);
                try {
                    store.set(SessionStoreContract.KEY, written, 60);
                    if (java.util.Arrays.equals(written, after.get(SessionStoreContract.KEY))) {
                        return null;
                    }
                } catch (StoreException duringFailover) {
                    if (!duringFailover.getMessage().equals(lastError[0])) {
                        System.out.println("during the failover: " + duringFailover.getMessage());
                    }
                    lastError[0] = duringFailover.getMessage(); // expected for a moment
                }
                return "writes reaching the new master " + after.address() + "; last error: " + lastError[0]
                        + "; old master's copy: " + (before.get(SessionStoreContract.KEY) == null ? "none" : "present");
            });
            assertEquals(Boolean.TRUE, recovered.poll(15, TimeUnit.SECONDS),
                    "the new master is another server process: announced so every session is written again");
        }
    }
}
