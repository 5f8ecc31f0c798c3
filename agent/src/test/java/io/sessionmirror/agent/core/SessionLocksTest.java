package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The decisions of {@link SessionLocks} against a fake store: which requests lock, the bounded wait and its
 * counters, releasing only our own lock, and the lease renewal (driven with explicit clock values, so no test
 * waits for the renewer thread: its period is far beyond the test's run with the TTL used here).
 */
class SessionLocksTest {

    private static final SessionKeys KEYS = new SessionKeys("sm");
    private static final String SESSION = "sm:_:/shop:ABC";
    private static final String LOCK = KEYS.lockKey(SESSION);
    /** Renewal period TTL/3 = 100 s: the renewer thread never runs a round during a test. */
    private static final int TTL = 300;

    /** Memcached's lock semantics, in a map: the key holds the holder's token, or nothing. */
    static class FakeStore implements SessionLocks.Primitives {
        final Map<String, String> values = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean down;

        @Override
        public boolean tryLock(String key, String token, int ttl) throws StoreException {
            calls.add("tryLock");
            check();
            return values.putIfAbsent(key, token) == null || token.equals(values.get(key));
        }

        @Override
        public boolean renewLock(String key, String token, int ttl) throws StoreException {
            calls.add("renew");
            check();
            return token.equals(values.get(key));
        }

        @Override
        public boolean unlock(String key, String token) throws StoreException {
            calls.add("unlock");
            check();
            return values.remove(key, token);
        }

        private void check() throws StoreException {
            if (down) {
                throw new StoreException("down");
            }
        }
    }

    private final FakeStore store = new FakeStore();
    private final Counters stats = new Counters();
    private final List<String> warnings = new ArrayList<>();

    private SessionLocks locks(String pattern, long waitMillis) {
        return new SessionLocks(store, KEYS, pattern == null ? null : Pattern.compile(pattern), waitMillis, stats,
                request -> (String) request, warnings::add, TTL);
    }

    @Test
    void aRequestLocksOnceAndReleasesOnlyItsOwnLock() {
        SessionLocks locks = locks(".*", 100);
        SessionLocks.Held held = new SessionLocks.Held();
        locks.lock(held, "/shop/cart", SESSION);
        locks.lock(held, "/shop/cart", SESSION); // a second lookup in the same request
        assertEquals(List.of("tryLock"), store.calls);
        assertEquals(held.leases.get(0).token, store.values.get(LOCK));
        locks.releaseAll(held);
        assertNull(store.values.get(LOCK));
        assertTrue(held.isEmpty());
        assertEquals(0, locks.renewing(), "a released lock is not renewed");

        // Our lock expired and another server took it: releasing must leave theirs alone.
        locks.lock(held, "/shop/cart", SESSION);
        store.values.put(LOCK, "theirs");
        locks.releaseAll(held);
        assertEquals("theirs", store.values.get(LOCK));
    }

    @Test
    void onlyMatchingUrisLockAndAnUnknownUriLocksOnlyWithLockAll() {
        SessionLocks.Held held = new SessionLocks.Held();
        locks("/shop/cart.*", 100).lock(held, "/shop/home", SESSION);
        locks(null, 100).lock(held, "/shop/cart", SESSION);
        locks(".*", 100).lock(held, null, SESSION); // no request: a background lookup
        assertEquals(List.of(), store.calls);

        SessionLocks.Held jetty = new SessionLocks.Held(); // a family that cannot tell the URI
        SessionLocks byUri = new SessionLocks(store, KEYS, Pattern.compile("/shop.*"), 100, stats, r -> null,
                warnings::add, TTL);
        byUri.lock(jetty, new Object(), SESSION);
        assertEquals(List.of(), store.calls);
        SessionLocks all = new SessionLocks(store, KEYS, Pattern.compile(".*"), 100, stats, r -> null, warnings::add, TTL);
        all.lock(jetty, new Object(), SESSION);
        assertEquals(1, jetty.leases.size());
    }

    @Test
    void aRequestWaitsForTheLockThenGoesOnWithoutItCountedAndWarned() {
        SessionLocks locks = locks(".*", 40);
        store.values.put(LOCK, "other");
        SessionLocks.Held waiter = new SessionLocks.Held();
        locks.lock(waiter, "/shop/cart", SESSION);
        assertTrue(waiter.isEmpty(), "went on without the lock");
        assertEquals(1, stats.lockTimeouts.sum());
        assertEquals(0, stats.lockWaits.sum());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("waited 40 ms") && warnings.get(0).contains("/shop/cart"), warnings.get(0));
        assertTrue(store.calls.size() > 1, "retried while waiting: " + store.calls);

        // Free on a later attempt: the wait is counted, not a timeout.
        store.values.clear();
        store.values.put(LOCK, "other");
        FakeStore freesLater = new FakeStore() {
            int attempts;

            @Override
            public boolean tryLock(String key, String token, int ttl) throws StoreException {
                if (++attempts == 3) {
                    values.remove(key);
                }
                return super.tryLock(key, token, ttl);
            }
        };
        freesLater.values.put(LOCK, "other");
        SessionLocks patient = new SessionLocks(freesLater, KEYS, Pattern.compile(".*"), 5000, stats, r -> "/x",
                warnings::add, TTL);
        SessionLocks.Held held = new SessionLocks.Held();
        patient.lock(held, "/x", SESSION);
        assertEquals(1, held.leases.size());
        assertEquals(1, stats.lockWaits.sum());
        assertEquals(1, stats.lockTimeouts.sum());
    }

    @Test
    void memcachedNotAnsweringMeansNoLockAndNoWait() {
        store.down = true;
        SessionLocks.Held held = new SessionLocks.Held();
        locks(".*", 5000).lock(held, "/shop/cart", SESSION);
        assertTrue(held.isEmpty());
        assertEquals(List.of("tryLock"), store.calls);
        assertEquals(0, stats.lockTimeouts.sum() + stats.lockWaits.sum());
    }

    @Test
    void aHeldLockIsRenewedWhileItsRequestRunsAndALostOneIsCountedOnce() {
        SessionLocks locks = locks(".*", 100);
        SessionLocks.Held held = new SessionLocks.Held();
        locks.lock(held, "/shop/cart", SESSION);
        SessionLocks.Lease lease = held.leases.get(0);
        long t = lease.takenAt;
        locks.renewDue(t + 10_000); // not due yet (renewed at most every half period, 50 s)
        assertEquals(0, count("renew"));
        locks.renewDue(t + 60_000);
        assertEquals(1, count("renew"));
        assertEquals(t + 60_000, lease.renewedAt);

        store.values.put(LOCK, "theirs"); // expired, and another server took it
        locks.renewDue(t + 120_000);
        assertEquals(1, stats.lostLocks.sum());
        assertEquals(0, locks.renewing(), "a lost lock is not renewed again");
        locks.renewDue(t + 180_000);
        assertEquals(1, stats.lostLocks.sum());
        locks.releaseAll(held);
        assertEquals("theirs", store.values.get(LOCK), "nor released");
    }

    @Test
    void aLockReleasedDuringItsRenewalIsNotCountedLost() {
        SessionLocks.Held held = new SessionLocks.Held();
        FakeStore releasedMeanwhile = new FakeStore() {
            @Override
            public boolean renewLock(String key, String token, int ttl) {
                held.leases.get(0).released = true; // the request releases while the renewal is on its way
                values.remove(key, token);
                return false;
            }
        };
        SessionLocks locks = new SessionLocks(releasedMeanwhile, KEYS, Pattern.compile(".*"), 100, stats, r -> "/x",
                warnings::add, TTL);
        locks.lock(held, "/x", SESSION);
        locks.renewDue(held.leases.get(0).takenAt + 60_000);
        assertEquals(0, stats.lostLocks.sum());
    }

    @Test
    void renewalStopsWhenTheHolderThreadEndedOrHeldTooLong() throws Exception {
        SessionLocks locks = locks(".*", 100);
        SessionLocks.Held orphan = new SessionLocks.Held();
        Thread t = new Thread(() -> locks.lock(orphan, "/shop/cart", SESSION));
        t.start();
        t.join();
        assertEquals(1, locks.renewing());
        locks.renewDue(orphan.leases.get(0).takenAt + 60_000);
        assertEquals(0, locks.renewing(), "its thread ended without releasing: left to expire");
        assertEquals(0, count("renew"));

        SessionLocks.Held stuck = new SessionLocks.Held();
        locks.lock(stuck, "/shop/cart", "sm:_:/shop:OTHER");
        locks.renewDue(stuck.leases.get(0).takenAt + SessionLocks.MAX_HOLD_MILLIS + 1);
        assertEquals(0, locks.renewing(), "held beyond the bound: left to expire");
        assertEquals(0, count("renew"));
        assertEquals(0, stats.lostLocks.sum());
    }

    private long count(String call) {
        return store.calls.stream().filter(call::equals).count();
    }
}
