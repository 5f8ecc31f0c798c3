package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.core.StoredCopyOrder;
import io.sessionmirror.agent.store.InMemorySessionStore.Fault;
import io.sessionmirror.agent.store.InMemorySessionStore.Op;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store keeps the store's contract ({@link SessionStoreContract}, also run on a real memcached),
 * so decision tests built on it test real decisions; and its hooks do what they say.
 */
class InMemorySessionStoreTest extends SessionStoreContract {

    private final InMemorySessionStore store = new InMemorySessionStore(StoredCopyOrder.INSTANCE);

    @Override
    SessionStore store() {
        return store;
    }

    @Test
    void callsAreCounted() throws Exception {
        store.set(KEY, copy(1), 60);
        store.startSet(KEY, copy(2), 60);
        store.get(KEY);
        assertEquals(2, store.calls(Op.SET), "a started write counts once");
        assertEquals(1, store.calls(Op.GET));
        assertEquals(0, store.calls(Op.TOUCH));
    }

    @Test
    void aTombstoneLivesItsOwnTime() throws Exception {
        store.set(KEY, copy(5), 60);
        store.tombstone(KEY, 120);
        assertTrue(StoredCopy.isTombstone(store.stored(KEY)));
        assertEquals(120, store.expiresInSeconds(KEY));
    }

    @Test
    void valuesExpireAndATouchExtendsThem() throws Exception {
        store.set(KEY, copy(1), 60);
        store.advanceClock(50_000);
        assertTrue(store.touch(KEY, 60));
        store.advanceClock(50_000);
        assertTrue(store.get(KEY) != null, "touched: 60 s from the touch");
        store.advanceClock(11_000);
        assertNull(store.get(KEY), "expired");
        assertFalse(store.touch(KEY, 60), "nothing to touch");
        store.set(KEY, copy(1), 0);
        store.advanceClock(TimeUnit.DAYS.toMillis(400));
        assertEquals(-1, store.expiresInSeconds(KEY), "0: never expires");
    }

    @Test
    void aLockIsALeaseAndItsReleaseLeavesTheFreeMarker() throws Exception {
        String lock = "sm:lock:ABC";
        assertTrue(store.tryLock(lock, "a", 10));
        assertTrue(store.renewLock(lock, "a", 20));
        assertEquals(20, store.expiresInSeconds(lock));
        assertTrue(store.unlock(lock, "a"));
        assertArrayEquals(InMemorySessionStore.FREE_LOCK, store.stored(lock), "released: the free marker");
        assertFalse(store.renewLock(lock, "a", 10), "released: no longer ours");
        assertTrue(store.tryLock(lock, "b", 10), "free: b takes it");
        store.advanceClock(10_000);
        assertTrue(store.tryLock(lock, "c", 10), "b's lease expired");
        assertFalse(store.unlock(lock, "b"));
    }

    @Test
    void faultsFailOnceOrAlwaysAndALateOneStillLands() throws Exception {
        store.failNext(Op.SET, Fault.FAIL);
        assertThrows(StoreException.class, () -> store.set(KEY, copy(1), 60));
        assertNull(store.stored(KEY), "a failed write changes nothing");
        store.failNext(Op.SET, Fault.LATE);
        StoreException late = assertThrows(StoreException.class, () -> store.set(KEY, copy(1), 60));
        assertTrue(late.getMessage().contains("timed out"), late.getMessage());
        assertTrue(store.stored(KEY) != null, "stored although the answer came too late");
        assertEquals(WriteResult.STORED, store.set(KEY, copy(2), 60), "the fault was for one call");
        store.failAlways(Op.GET, Fault.TIME_OUT);
        assertThrows(StoreException.class, () -> store.get(KEY));
        assertThrows(StoreException.class, () -> store.get(KEY));
        assertTrue(store.repairKey(KEY), "nothing answered: nothing to conclude");
        store.heal();
        assertTrue(store.get(KEY) != null);
        store.goDown();
        assertEquals(List.of(InMemorySessionStore.NODE), store.nodesDown());
        assertThrows(StoreException.class, () -> store.tryLock("l", "t", 10));
        store.heal();
        assertTrue(store.nodesDown().isEmpty());
    }

    @Test
    void aPausedWriteIsDecidedWhenItGoesOnAgainstWhatLandedMeanwhile() throws Exception {
        InMemorySessionStore.Pause pause = store.pauseNext(Op.SET);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            byte[] v1 = copy(1);
            Future<WriteResult> slow = other.submit(() -> store.set(KEY, v1, 60));
            assertTrue(pause.awaitArrived(5000));
            assertEquals(WriteResult.STORED, store.set(KEY, copy(2), 60), "a newer write overtakes it");
            pause.release();
            assertEquals(WriteResult.REFUSED, slow.get(5, TimeUnit.SECONDS));
            assertTrue(StoredCopyOrder.INSTANCE.compare(store.stored(KEY), v1) > 0, "the newer copy stays");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aStartedWriteIsAppliedWhenItAdvances() throws Exception {
        PendingWrite w = store.startSet(KEY, copy(1), 60);
        assertNull(store.stored(KEY), "started, not applied");
        w.advance();
        assertTrue(store.stored(KEY) != null);
        assertEquals(WriteResult.STORED, w.await());
    }

    @Test
    void recoveriesAndNewNodesAreAnnounced() {
        List<String> heard = new CopyOnWriteArrayList<>();
        store.addListener((node, emptied) -> heard.add(node + (emptied ? " emptied" : "")));
        store.recover(false);
        NodeAddress other = new NodeAddress("other", 11211);
        store.switchNodes(List.of(other));
        assertEquals(List.of(InMemorySessionStore.NODE.toString(), other + " emptied"), heard);
        assertEquals(List.of(other), store.nodes());
        assertTrue(store.belongsTo(KEY, other));
    }

    @Test
    void aClosedStoreFails() {
        store.close();
        assertThrows(StoreException.class, () -> store.get(KEY));
    }
}
