package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.config.MirrorConfig;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.MemcachedStore;
import io.sessionmirror.agent.store.SessionStore;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.it.Memcached;
import io.sessionmirror.it.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionLocks} and the store's lock primitives against a real memcached, two stores standing for two
 * servers, with a TTL of two seconds so that locks expire and renewals happen within the test. (In this package:
 * the TTL is set through the package-private constructor.)
 */
class SessionLocksIT {

    private static final SessionKeys KEYS = new SessionKeys("sm");
    private static final String SESSION = "sm:_:/shop:LOCKED";
    private static final String LOCK = KEYS.lockKey(SESSION);
    private static final int SHORT_TTL = 2;
    /** What a released lock holds in Memcached: part of the stored format other agent versions read. */
    private static final byte[] FREE_LOCK = {'-'};

    private Memcached memcached;
    private SessionStore serverA;
    private SessionStore serverB;

    @BeforeEach
    void start() throws Exception {
        memcached = Memcached.start();
        serverA = store();
        serverB = store();
    }

    @AfterEach
    void stop() throws Exception {
        serverA.close();
        serverB.close();
        memcached.kill();
    }

    private SessionStore store() {
        return new MemcachedStore(MirrorConfig.load("nodes=" + memcached.address(), new Properties(), Map.of()).nodes(),
                1000, 0, new Counters(), null, null, StoredCopyOrder.INSTANCE);
    }

    /** The store's primitives, with the renewals counted and held back until {@code renewals} opens. */
    private static final class Gated implements SessionLocks.Primitives {
        final SessionStore store;
        final CountDownLatch renewals;
        final AtomicInteger renewed = new AtomicInteger();

        Gated(SessionStore store, CountDownLatch renewals) {
            this.store = store;
            this.renewals = renewals;
        }

        @Override
        public boolean tryLock(String key, String token, int ttl) throws StoreException {
            return store.tryLock(key, token, ttl);
        }

        @Override
        public boolean renewLock(String key, String token, int ttl) throws StoreException {
            try {
                renewals.await(); // a stalled server (a long GC pause): its renewals do not reach memcached
            } catch (InterruptedException e) {
                throw new StoreException("interrupted");
            }
            boolean ours = store.renewLock(key, token, ttl);
            if (ours) {
                renewed.incrementAndGet();
            }
            return ours;
        }

        @Override
        public boolean unlock(String key, String token) throws StoreException {
            return store.unlock(key, token);
        }
    }

    private static SessionLocks locks(SessionLocks.Primitives store, Counters stats, long waitMillis, int ttl) {
        return new SessionLocks(store, KEYS, Pattern.compile(".*"), waitMillis, stats, r -> "/shop/cart", m -> { }, ttl);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theLockPrimitivesChangeALockOnlyWhileItHoldsTheCallersToken() throws Exception {
        assertTrue(serverA.tryLock(LOCK, "a-1", 60));
        assertTrue(serverA.tryLock(LOCK, "a-1", 60), "an attempt whose add was stored but answered late");
        assertFalse(serverB.tryLock(LOCK, "b-1", 60));
        assertFalse(serverB.renewLock(LOCK, "b-1", 60));
        assertFalse(serverB.unlock(LOCK, "b-1"));
        assertArrayEquals(ascii("a-1"), memcached.get(LOCK));
        assertTrue(serverA.renewLock(LOCK, "a-1", 60));
        assertTrue(serverA.unlock(LOCK, "a-1"));
        assertArrayEquals(FREE_LOCK, memcached.get(LOCK), "released: the free marker");
        assertFalse(serverA.unlock(LOCK, "a-1"), "released once");
        assertFalse(serverA.renewLock(LOCK, "a-1", 60), "not renewed after its release");
        assertTrue(serverB.tryLock(LOCK, "b-1", 60), "taken over the free marker");
        assertArrayEquals(ascii("b-1"), memcached.get(LOCK));
    }

    @Test
    void aLockThatExpiredAndWasTakenIsNeitherRenewedNorReleasedByItsFormerHolder() throws Exception {
        Counters statsA = new Counters();
        CountDownLatch stalled = new CountDownLatch(1);
        SessionLocks a = locks(new Gated(serverA, stalled), statsA, 1000, SHORT_TTL);
        SessionLocks.Held heldA = new SessionLocks.Held();
        a.lock(heldA, "request A", SESSION);
        assertEquals(1, heldA.leases.size());
        await("A's lock expired while A stalled", () -> memcached.get(LOCK) == null);

        Counters statsB = new Counters();
        SessionLocks b = locks(new Gated(serverB, new CountDownLatch(0)), statsB, 1000, 60);
        SessionLocks.Held heldB = new SessionLocks.Held();
        b.lock(heldB, "request B", SESSION);
        assertEquals(1, heldB.leases.size(), "B took the expired lock");
        byte[] ofB = ascii(heldB.leases.get(0).token);

        stalled.countDown(); // A runs again: its renewal finds the lock is not its own any more
        await("A's renewal found its lock lost", () -> statsA.lostLocks.sum() == 1);
        assertEquals(0, a.renewing());
        a.releaseAll(heldA);
        assertArrayEquals(ofB, memcached.get(LOCK), "B's lock survives A's release");
        b.releaseAll(heldB);
        assertArrayEquals(FREE_LOCK, memcached.get(LOCK));
        assertEquals(0, statsB.lostLocks.sum());
    }

    @Test
    void aLockHeldLongerThanItsTtlIsRenewedWhileAnotherServerWaits() throws Exception {
        Counters statsA = new Counters();
        Gated renewing = new Gated(serverA, new CountDownLatch(0));
        SessionLocks a = locks(renewing, statsA, 1000, SHORT_TTL);
        SessionLocks.Held heldA = new SessionLocks.Held();
        a.lock(heldA, "request A", SESSION);
        byte[] ofA = ascii(heldA.leases.get(0).token);

        // B waits 5 s, two and a half TTLs: without renewals A's lock is gone after at most 2 s and B gets it.
        Counters statsB = new Counters();
        SessionLocks b = locks(new Gated(serverB, new CountDownLatch(0)), statsB, 5000, SHORT_TTL);
        SessionLocks.Held heldB = new SessionLocks.Held();
        long t0 = System.nanoTime();
        b.lock(heldB, "request B", SESSION);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("[SessionLocksIT] B waited " + waitedMillis + " ms; A's lock (TTL " + SHORT_TTL + " s) was renewed "
                + renewing.renewed.get() + " times meanwhile");
        assertTrue(heldB.isEmpty(), "B did not get A's lock");
        assertEquals(1, statsB.lockTimeouts.sum());
        assertArrayEquals(ofA, memcached.get(LOCK), "A still holds it");
        assertTrue(renewing.renewed.get() >= 2, "renewed " + renewing.renewed.get() + " times");
        assertEquals(0, statsA.lostLocks.sum());

        a.releaseAll(heldA);
        b.lock(heldB, "request B again", SESSION);
        assertEquals(1, heldB.leases.size(), "free at once after A's release");
        assertEquals(0, statsB.lockWaits.sum());
        b.releaseAll(heldB);
    }

    @Test
    void aLockWhoseHolderThreadEndedIsLeftToExpire() throws Exception {
        SessionLocks a = locks(new Gated(serverA, new CountDownLatch(0)), new Counters(), 1000, SHORT_TTL);
        SessionLocks.Held orphan = new SessionLocks.Held();
        Thread t = new Thread(() -> a.lock(orphan, "request A", SESSION));
        t.start();
        t.join();
        assertEquals(1, orphan.leases.size());
        await("the orphan lock expired", () -> memcached.get(LOCK) == null);
        assertEquals(0, a.renewing());
        assertNull(memcached.get(LOCK));
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        Poll.until(what, Duration.ofSeconds(20), condition);
    }
}
