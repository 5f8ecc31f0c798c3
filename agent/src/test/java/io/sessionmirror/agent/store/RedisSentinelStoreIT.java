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
            int version = 1;
            store.set(SessionStoreContract.KEY, SessionStoreContract.copy(version), 60);

            Redis after = sentinel.failover();
            assertNotEquals(before.port(), after.port());
            // keep writing: some writes may fail while the client finds the new master, then they land there
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String lastError = null;
            while (true) {
                version++;
                try {
                    byte[] written = SessionStoreContract.copy(version);
                    store.set(SessionStoreContract.KEY, written, 60);
                    if (java.util.Arrays.equals(written, after.get(SessionStoreContract.KEY))) {
                        break;
                    }
                } catch (StoreException duringFailover) {
                    if (!duringFailover.getMessage().equals(lastError)) {
                        System.out.println("during the failover: " + duringFailover.getMessage());
                    }
                    lastError = duringFailover.getMessage(); // expected for a moment
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("writes did not reach the new master " + after.address() + "; last error: "
                            + lastError + "; old master's copy: " + before.get(SessionStoreContract.KEY));
                }
                Thread.sleep(50); // paces the writer, not a synchronisation
            }
            assertEquals(Boolean.TRUE, recovered.poll(15, TimeUnit.SECONDS),
                    "the new master is another server process: announced so every session is written again");
        }
    }
}
