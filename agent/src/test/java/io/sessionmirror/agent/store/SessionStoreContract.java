package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.codec.StoredCopy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} must do, run against each: the in-memory store of the unit tests
 * ({@link InMemorySessionStoreTest}) and the Memcached store on a real memcached ({@link MemcachedStoreContractIT}).
 * Passing both is what makes decision tests on the in-memory store worth something.
 */
abstract class SessionStoreContract {

    private static final SessionCodec CODEC = new SessionCodec(null, -1, new JavaSerializer());
    static final String KEY = "sm:_:/shop:ABC";
    private static final String LOCK = "sm:lock:_:/shop:ABC";

    /** The store under test, empty. */
    abstract SessionStore store();

    static byte[] copy(long version) throws Exception {
        return CODEC.encode(new SessionData("ABC", 1L, 1800, null, null, Map.of("v", version)),
                SessionStoreContract.class.getClassLoader(), version, "").payload;
    }

    @Test
    void aNewerCopyReplacesAnOlderOneIsRefusedAndARetryIsAlreadyStored() throws Exception {
        SessionStore store = store();
        assertNull(store.get(KEY));
        byte[] v2 = copy(2);
        assertEquals(WriteResult.STORED, store.set(KEY, v2, 60));
        assertEquals(WriteResult.REFUSED, store.set(KEY, copy(1), 60), "older than what is stored");
        assertEquals(WriteResult.STORED, store.set(KEY, v2, 60), "the same write again (a retry)");
        assertArrayEquals(v2, store.get(KEY));
        byte[] v3 = copy(3);
        assertEquals(WriteResult.STORED, store.set(KEY, v3, 60));
        assertArrayEquals(v3, store.get(KEY));
    }

    @Test
    void aTombstoneOutlivesEveryWriteOfTheId() throws Exception {
        SessionStore store = store();
        store.set(KEY, copy(5), 60);
        assertEquals(WriteResult.STORED, store.tombstone(KEY, 120));
        assertEquals(WriteResult.REFUSED, store.set(KEY, copy(6), 60), "no write after the end of the session");
        assertTrue(StoredCopy.isTombstone(store.get(KEY)));
        assertEquals(WriteResult.STORED, store.tombstone(KEY, 120), "a tombstone over a tombstone");
    }

    @Test
    void aConditionalTombstoneWritesOnlyOverACopyItAccepts() throws Exception {
        SessionStore store = store();
        assertEquals(WriteResult.STORED, store.startTombstone(KEY, 60, v -> true).await());
        assertNull(store.get(KEY), "absent: nothing written");
        store.set(KEY, copy(1), 60);
        assertEquals(WriteResult.STORED, store.startTombstone(KEY, 60, v -> false).await());
        assertFalse(StoredCopy.isTombstone(store.get(KEY)), "refused by the predicate: the copy stays");
        store.startTombstone(KEY, 60, v -> true).await();
        assertTrue(StoredCopy.isTombstone(store.get(KEY)));
    }

    @Test
    void writesStartedTogetherAllLand() throws Exception {
        SessionStore store = store();
        PendingWrite a = store.startSet(KEY + "1", copy(1), 60);
        PendingWrite b = store.startSet(KEY + "2", copy(1), 60);
        a.advance();
        b.advance();
        assertEquals(WriteResult.STORED, a.await());
        assertEquals(WriteResult.STORED, b.await());
        assertNotNull(store.get(KEY + "1"));
        assertNotNull(store.get(KEY + "2"));
    }

    @Test
    void aTouchFindsOnlyWhatIsStored() throws Exception {
        SessionStore store = store();
        assertFalse(store.touch(KEY, 60));
        store.set(KEY, copy(1), 60);
        assertTrue(store.touch(KEY, 60));
        assertTrue(store.repairKey(KEY), "held");
        assertFalse(store.repairKey(KEY + "-other"), "held nowhere");
    }

    @Test
    void aLockChangesOnlyForItsHolder() throws Exception {
        SessionStore store = store();
        assertTrue(store.tryLock(LOCK, "a", 10));
        assertTrue(store.tryLock(LOCK, "a", 10), "already ours: an earlier attempt stored it");
        assertFalse(store.tryLock(LOCK, "b", 10));
        assertFalse(store.renewLock(LOCK, "b", 10), "not b's to renew");
        assertFalse(store.unlock(LOCK, "b"), "not b's to release");
        assertTrue(store.renewLock(LOCK, "a", 20));
        assertTrue(store.unlock(LOCK, "a"));
        assertFalse(store.unlock(LOCK, "a"), "released once");
        assertFalse(store.renewLock(LOCK, "a", 10), "released: no longer ours");
        assertTrue(store.tryLock(LOCK, "b", 10), "free: b takes it");
    }

    @Test
    void itsNodesHoldTheKeys() {
        SessionStore store = store();
        assertEquals(1, store.copies());
        assertEquals(1, store.nodes().size());
        assertTrue(store.belongsTo(KEY, store.nodes().get(0)));
        assertTrue(store.nodesDown().isEmpty());
    }
}
