package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.InMemorySessionStore;
import io.sessionmirror.agent.store.InMemorySessionStore.Fault;
import io.sessionmirror.agent.store.InMemorySessionStore.Op;
import io.sessionmirror.agent.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Non-sticky session locks: taken at a request's first look at a stored session, held until its write is stored,
 * waited for at most lock.wait, renewed while held, and a lock lost to another server counted.
 */
class LockDecisionsTest {

    private static final byte[] FREE = {'-'};

    private MirrorFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    private static MirrorFixture locking(String pattern) {
        return new MirrorFixture(new MirrorFixture.Options().nonSticky(pattern));
    }

    private String lockKey(String id) {
        return f.services.keys.lockKey(f.key(id));
    }

    @Test
    void aLockedRequestHoldsTheSessionLockUntilItsWriteIsStored() throws Exception {
        f = locking(".*");
        f.write("LOCK000001", "n", 1);
        InMemorySessionStore.Pause unlock = f.store.pauseNext(Op.UNLOCK);
        AtomicReference<byte[]> lockDuringRequest = new AtomicReference<>();
        AtomicReference<Throwable> trouble = new AtomicReference<>();
        Thread request = new Thread(() -> {
            try {
                MirrorFixture.Req r = f.request(); // a request's scope is its thread's
                r.lookup("LOCK000001");
                lockDuringRequest.set(f.store.stored(lockKey("LOCK000001")));
                r.set("n", 2).end();
            } catch (Throwable e) {
                trouble.set(e);
            }
        }, "request");
        request.start();
        assertTrue(unlock.awaitArrived(5000), "the lock is released");
        Object storedAtUnlock = f.storedAttribute("LOCK000001", "n");
        unlock.release();
        request.join(5000);
        assertNull(trouble.get());
        assertNotNull(lockDuringRequest.get());
        assertFalse(java.util.Arrays.equals(FREE, lockDuringRequest.get()), "held by the request while it ran");
        assertEquals(2, storedAtUnlock, "stored before the release: the next holder of the lock reads this write");
        assertArrayEquals(FREE, f.store.stored(lockKey("LOCK000001")), "released");
    }

    @Test
    void aRequestWhoseUriIsNotLockedTakesNoLock() {
        f = locking("/app/cart.*");
        f.write("LOCK000002", "n", 1);
        MirrorFixture.Req r = f.request("/app/page");
        assertNotNull(r.lookup("LOCK000002"));
        r.end();
        assertEquals(0, f.store.calls(Op.TRY_LOCK));
        MirrorFixture.Req cart = f.request("/app/cart/add");
        cart.lookup("LOCK000002");
        cart.end();
        assertEquals(1, f.store.calls(Op.TRY_LOCK));
    }

    @Test
    void aLockHeldElsewhereIsWaitedForAtMostLockWaitThenTheRequestGoesOnAndItIsCounted() throws Exception {
        f = locking(".*");
        f.write("LOCK000003", "n", 1);
        assertTrue(f.store.tryLock(lockKey("LOCK000003"), "another-server", 10));
        MirrorFixture.Req r = f.request();
        assertNotNull(r.lookup("LOCK000003"), "the request goes on without the lock");
        r.set("n", 2).end();
        assertEquals(1, f.services.stats.lockTimeouts.sum());
        assertEquals(2, f.storedAttribute("LOCK000003", "n"));
        assertArrayEquals("another-server".getBytes(StandardCharsets.US_ASCII), f.store.stored(lockKey("LOCK000003")),
                "never released over its holder");
    }

    @Test
    void aLockStoreThatDoesNotAnswerLetsTheRequestGoOnUnlocked() throws Exception {
        f = locking(".*");
        f.write("LOCK000004", "n", 1);
        f.store.failAlways(Op.TRY_LOCK, Fault.TIME_OUT);
        MirrorFixture.Req r = f.request();
        assertNotNull(r.lookup("LOCK000004"));
        r.set("n", 2).end();
        assertEquals(2, f.storedAttribute("LOCK000004", "n"));
        assertEquals(0, f.store.calls(Op.UNLOCK), "nothing held, nothing released");
    }

    @Test
    void anUnknownIdTakesNoLock() {
        f = locking(".*");
        assertNull(f.request().lookup("UNKNOWN003"));
        assertEquals(0, f.store.calls(Op.TRY_LOCK), "a forged id costs one read, not a lock");
    }

    @Test
    void aRestoreTakesTheLockThenReadsTheStoredCopyAgain() throws Exception {
        f = locking(".*");
        f.seed("LOCK000005", 4, Map.of("n", 1));
        MirrorFixture.Req r = f.request();
        assertEquals(1, r.lookup("LOCK000005").attributes.get("n"));
        assertEquals(1, f.store.calls(Op.TRY_LOCK));
        assertEquals(2, f.gets(), "read, locked, read again: it may have changed while we waited");
        r.end();
        assertArrayEquals(FREE, f.store.stored(lockKey("LOCK000005")));
    }

    @Test
    void theNextRequestOnAThreadReleasesALockItsPreviousRequestLeftHeld() {
        f = locking(".*");
        f.write("LOCK000006", "n", 1);
        f.request().lookup("LOCK000006"); // a request whose end the agent never saw
        assertFalse(java.util.Arrays.equals(FREE, f.store.stored(lockKey("LOCK000006"))));
        f.request();
        assertArrayEquals(FREE, f.store.stored(lockKey("LOCK000006")));
    }

    // ---------------------------------------------------------------- lease: renewal and loss

    private SessionLocks locks(InMemorySessionStore store, Counters stats, int ttlSeconds) {
        SessionLocks.Primitives p = new SessionLocks.Primitives() {
            @Override
            public boolean tryLock(String key, String token, int ttl) throws StoreException {
                return store.tryLock(key, token, ttl);
            }

            @Override
            public boolean renewLock(String key, String token, int ttl) throws StoreException {
                return store.renewLock(key, token, ttl);
            }

            @Override
            public boolean unlock(String key, String token) throws StoreException {
                return store.unlock(key, token);
            }
        };
        return new SessionLocks(p, new SessionKeys("t"), Pattern.compile(".*"), 50, stats, r -> "/app", m -> { },
                ttlSeconds);
    }

    @Test
    void aHeldLockIsRenewedWhileTheRequestRuns() {
        InMemorySessionStore store = new InMemorySessionStore(StoredCopyOrder.INSTANCE);
        SessionLocks locks = locks(store, new Counters(), 3);
        SessionLocks.Held held = new SessionLocks.Held();
        locks.lock(held, "request", "t:_:/app:RENEW00001");
        String key = new SessionKeys("t").lockKey("t:_:/app:RENEW00001");
        store.advanceClock(2000); // the lease is about to run out
        locks.renewDue(System.currentTimeMillis() + 2000);
        assertEquals(1, store.calls(Op.RENEW_LOCK));
        assertEquals(3L, store.expiresInSeconds(key), "a full ttl again");
        locks.releaseAll(held);
        assertArrayEquals(FREE, store.stored(key));
        assertEquals(0, locks.renewing(), "released: no longer renewed");
    }

    @Test
    void aLockLostToAnotherServerIsCountedAndNeverReleasedOverIt() throws Exception {
        InMemorySessionStore store = new InMemorySessionStore(StoredCopyOrder.INSTANCE);
        Counters stats = new Counters();
        SessionLocks locks = locks(store, stats, 3);
        SessionLocks.Held held = new SessionLocks.Held();
        locks.lock(held, "request", "t:_:/app:LOST000001");
        String key = new SessionKeys("t").lockKey("t:_:/app:LOST000001");
        store.advanceClock(4000); // a long pause: the lease expired
        assertTrue(store.tryLock(key, "another-server", 3));
        locks.renewDue(System.currentTimeMillis() + 4000);
        assertEquals(1, stats.lostLocks.sum());
        locks.releaseAll(held);
        assertArrayEquals("another-server".getBytes(StandardCharsets.US_ASCII), store.stored(key));
    }
}
