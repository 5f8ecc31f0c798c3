package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.config.RedisUri;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.redis.RedisStore;
import io.sessionmirror.it.Poll;
import io.sessionmirror.it.Redis;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Redis store on a real redis-server: what the contract does not cover (TTLs, databases, ACL, outages, races). */
class RedisStoreIT {

    private static final String KEY = SessionStoreContract.KEY;

    private static RedisStore store(String uri, long timeoutMillis, String user, String password) {
        return new RedisStore(RedisUri.parse(uri), timeoutMillis, new Counters(), user, password,
                StoredCopyOrder.INSTANCE);
    }

    @Test
    void lifetimesAreTheExpiriesGiven() throws Exception {
        try (Redis redis = Redis.start(); RedisStore store = store(redis.uri(), 2000, null, null)) {
            store.set(KEY, SessionStoreContract.copy(1), 60);
            long ttl = redis.pttl(KEY);
            assertTrue(ttl > 55_000 && ttl <= 60_000, "a copy lives its expiry: " + ttl);
            assertTrue(store.touch(KEY, 600));
            assertTrue(redis.pttl(KEY) > 595_000, "a touch is a PEXPIRE");
            assertTrue(store.touch(KEY, 0));
            assertEquals(-1, redis.pttl(KEY), "expiry 0: no expiry");
            store.tombstone(KEY, 120);
            long stone = redis.pttl(KEY);
            int expected = StoredCopyOrder.INSTANCE.expiryOf(redis.get(KEY));
            assertTrue(stone > (expected - 5) * 1000L && stone <= expected * 1000L, "a tombstone lives its own time: "
                    + stone + " ms, expected about " + expected + " s");
            store.tryLock("lock", "a", 10);
            long lock = redis.pttl("lock");
            assertTrue(lock > 8_000 && lock <= 10_000, "a lock lives its ttl: " + lock);
            assertTrue(store.renewLock("lock", "a", 30));
            assertTrue(redis.pttl("lock") > 28_000, "renewed");
            assertFalse(store.renewLock("lock", "b", 60));
            assertTrue(redis.pttl("lock") <= 30_000, "another token's renewal changes nothing");
            assertTrue(store.unlock("lock", "a"));
            assertNull(redis.get("lock"), "released: deleted");
        }
    }

    /** A server JVM must still exit when its own threads end: the client's threads are daemons, and ours by name. */
    @Test
    void theClientRunsOnDaemonThreadsOfItsOwnName() throws Exception {
        try (Redis redis = Redis.start(); RedisStore store = store(redis.uri(), 2000, null, null)) {
            store.set(KEY, SessionStoreContract.copy(1), 60);
            int ours = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String name = t.getName();
                if (name.startsWith("session-mirror-redis")) {
                    ours++;
                    assertTrue(t.isDaemon(), name + " is not a daemon thread");
                }
                assertFalse(name.toLowerCase(java.util.Locale.ROOT).startsWith("lettuce"), "unnamed client thread " + name);
            }
            assertTrue(ours >= 2, "the I/O thread and the probe at least");
        }
    }

    @Test
    void theDatabaseIndexIsUsed() throws Exception {
        try (Redis redis = Redis.start(); RedisStore store = store(redis.uri() + "/3", 2000, null, null)) {
            store.set(KEY, SessionStoreContract.copy(1), 60);
            assertNotNull(redis.getIn(3, KEY));
            assertNull(redis.get(KEY), "nothing in database 0");
            assertEquals(java.util.List.of(KEY), redis.keys(3));
        }
    }

    @Test
    void anAclUserLogsInAndAWrongPasswordIsOneClearError() throws Exception {
        try (Redis redis = Redis.startWithAclUser("mirror", "s3cret")) {
            try (RedisStore store = store(redis.uri(), 1000, "mirror", "s3cret")) {
                assertEquals(WriteResult.STORED, store.set(KEY, SessionStoreContract.copy(1), 60));
                assertNotNull(redis.get(KEY));
            }
            try (RedisStore wrong = store(redis.uri(), 1000, "mirror", "wrong")) {
                long t0 = System.nanoTime();
                StoreException e = assertThrows(StoreException.class, () -> wrong.get(KEY));
                assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1000), "fails at once, not connected");
                assertEquals(wrong.nodes(), wrong.nodesDown());
                assertFalse(e.getMessage().contains("wrong"), "no password in the message: " + e.getMessage());
            }
        }
    }

    /** Two servers write the same session at once, versions interleaved: the newest always ends up stored. */
    @Test
    void concurrentWritersNeverReplaceANewerCopy() throws Exception {
        try (Redis redis = Redis.start(); RedisStore a = store(redis.uri(), 5000, null, null);
             RedisStore b = store(redis.uri(), 5000, null, null)) {
            int versions = 2000;
            byte[][] copies = new byte[versions + 1][];
            for (int v = 1; v <= versions; v++) {
                copies[v] = SessionStoreContract.copy(v);
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> even = pool.submit(() -> writeEvery(a, copies, 2));
                Future<?> odd = pool.submit(() -> writeEvery(b, copies, 1));
                even.get(60, TimeUnit.SECONDS);
                odd.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, StoredCopyOrder.INSTANCE.compare(redis.get(KEY), copies[versions]),
                    "the newest version is stored");
        }
    }

    /**
     * Its versions in pipelined batches (all started, then all awaited), newest first inside a batch: all the
     * reads of a batch happen before its writes, so each write but the first finds the key changed since its
     * read. Without the server-side compare the oldest of each batch would land last.
     */
    private static Void writeEvery(RedisStore store, byte[][] copies, int first) throws StoreException {
        for (int low = first; low < copies.length; low += 50) {
            java.util.List<PendingWrite> batch = new java.util.ArrayList<>();
            for (int v = Math.min(copies.length - 1 - (copies.length - 1 - low) % 2, low + 48); v >= low; v -= 2) {
                batch.add(store.startSet(KEY, copies[v], 60));
            }
            for (PendingWrite w : batch) {
                w.await();
            }
        }
        return null;
    }

    @Test
    void anOutageFailsFastAndARestartIsAnnouncedAsEmpty() throws Exception {
        try (Redis redis = Redis.start(); RedisStore store = store(redis.uri(), 500, null, null)) {
            LinkedBlockingQueue<Boolean> recovered = new LinkedBlockingQueue<>();
            store.addListener((node, emptied) -> recovered.add(emptied));
            store.set(KEY, SessionStoreContract.copy(1), 60);
            long round = store.probeRounds();
            Poll.until("a probe round saw the server", Duration.ofSeconds(10), () -> store.probeRounds() > round);

            redis.kill();
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                assertThrows(StoreException.class, () -> store.get(KEY));
                assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500 + 300), "bounded by the timeout");
            }
            Poll.until("the circuit opened", Duration.ofSeconds(10), () -> !store.nodesDown().isEmpty());
            long t0 = System.nanoTime();
            assertThrows(StoreException.class, () -> store.startSet(KEY, SessionStoreContract.copy(2), 60).await());
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(100), "an open circuit fails at once");
            // missed: written when the server is back
            assertThrows(StoreException.class, () -> store.tombstone(KEY + "-ended", 60));
            assertTrue(recovered.isEmpty());

            redis.restart();
            Boolean emptied = recovered.poll(15, TimeUnit.SECONDS);
            assertEquals(Boolean.TRUE, emptied, "a restarted server is announced as empty");
            assertTrue(store.nodesDown().isEmpty());
            assertTrue(StoredCopy.isTombstone(redis.get(KEY + "-ended")), "the missed tombstone was replayed first");
            assertEquals(WriteResult.STORED, store.set(KEY, SessionStoreContract.copy(3), 60), "mirroring resumes");
        }
    }
}
