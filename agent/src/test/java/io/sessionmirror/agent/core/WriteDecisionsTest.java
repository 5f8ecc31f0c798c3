package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.store.InMemorySessionStore.Fault;
import io.sessionmirror.agent.store.InMemorySessionStore.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The end of a request: written once per change, nothing for an unchanged session, sync before the response. */
class WriteDecisionsTest {

    private MirrorFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aNewSessionIsWrittenAtTheEndOfItsFirstRequest() throws Exception {
        f = MirrorFixture.async();
        f.write("NEW0000001", "user", "alice");
        assertEquals(1, f.sets());
        assertEquals("alice", f.storedAttribute("NEW0000001", "user"));
        assertEquals(1, f.decoded("NEW0000001").version);
        assertEquals(1, f.stats().writes.sum());
    }

    @Test
    void aNewSessionWithNoAttributesIsWrittenToo() throws Exception {
        f = MirrorFixture.async();
        MirrorFixture.Req r = f.request();
        r.create("EMPTY00001");
        r.end();
        f.settled();
        assertEquals(1, f.sets(), "never written: written whatever it holds, so a failover finds it");
        assertTrue(f.decoded("EMPTY00001").data.attributes().isEmpty());
    }

    @Test
    void aRequestThatChangesSeveralAttributesWritesOnce() throws Exception {
        f = MirrorFixture.async();
        f.write("ONCE000001", "user", "alice");
        MirrorFixture.Req r = f.request();
        r.lookup("ONCE000001");
        r.set("a", 1).set("b", 2).set("a", 3).end();
        f.settled();
        assertEquals(2, f.sets(), "one write per changed request");
        assertEquals(3, f.storedAttribute("ONCE000001", "a"));
        assertEquals(2, f.decoded("ONCE000001").version);
    }

    @Test
    void eachChangedRequestWritesOnce() {
        f = MirrorFixture.async();
        f.write("EACH000001", "n", 0);
        for (int i = 1; i <= 5; i++) {
            f.write("EACH000001", "n", i);
        }
        assertEquals(6, f.sets());
        assertEquals(6, f.stats().writes.sum());
    }

    @Test
    void anUnchangedRequestWritesNothing() {
        f = MirrorFixture.async();
        f.write("SAME000001", "user", "alice");
        MirrorFixture.Req r = f.request();
        r.lookup("SAME000001");
        r.end();
        f.settled();
        assertEquals(1, f.sets());
        assertEquals(0, f.stats().unchanged.sum(), "not even serialized: nothing was set or read");
    }

    @Test
    void removingAnAttributeIsAChange() throws Exception {
        f = MirrorFixture.async();
        f.write("REMOVE0001", "user", "alice");
        MirrorFixture.Req r = f.request();
        r.lookup("REMOVE0001");
        r.remove("user").end();
        f.settled();
        assertEquals(2, f.sets());
        assertNull(f.storedAttribute("REMOVE0001", "user"));
    }

    @Test
    void aChangeSetBackToWhatWasWrittenIsNotWrittenAgain() {
        f = MirrorFixture.async();
        f.write("BACK000001", "user", "alice");
        MirrorFixture.Req r = f.request();
        r.lookup("BACK000001");
        r.set("user", "bob").set("user", "alice").end();
        f.settled();
        assertEquals(1, f.sets(), "serialized, hash equal to the last write: not written");
        assertEquals(1, f.stats().unchanged.sum());
    }

    @Test
    void aMutableValueReadAndChangedInPlaceIsWritten() throws Exception {
        f = MirrorFixture.async();
        f.write("INPLACE001", "cart", new ArrayList<>(List.of("apple")));
        MirrorFixture.Req r = f.request();
        r.lookup("INPLACE001");
        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) r.get("cart");
        cart.add("pear"); // no setAttribute: changed in place
        r.end();
        f.settled();
        assertEquals(2, f.sets());
        assertEquals(List.of("apple", "pear"), f.storedAttribute("INPLACE001", "cart"));
    }

    @Test
    void aMutableValueReadButNotChangedIsSerializedButNotWritten() {
        f = MirrorFixture.async();
        f.write("INPLACE002", "cart", new ArrayList<>(List.of("apple")));
        MirrorFixture.Req r = f.request();
        r.lookup("INPLACE002");
        r.get("cart");
        r.end();
        f.settled();
        assertEquals(1, f.sets());
        assertEquals(1, f.stats().unchanged.sum(), "checked by its hash");
    }

    @Test
    void anImmutableValueReadNeverCausesAWriteNorASerialization() {
        f = MirrorFixture.async();
        f.write("IMMUT00001", "user", "alice");
        MirrorFixture.Req r = f.request();
        r.lookup("IMMUT00001");
        r.get("user");
        r.end();
        f.settled();
        assertEquals(1, f.sets());
        assertEquals(0, f.stats().unchanged.sum(), "a String cannot change in place: not even serialized");
    }

    @Test
    void syncModeStoresTheWriteBeforeTheResponse() throws Exception {
        f = MirrorFixture.sync();
        MirrorFixture.Req r = f.request();
        r.create("SYNC000001");
        r.set("user", "alice").completing(); // the response is not sent yet
        assertEquals("alice", f.storedAttribute("SYNC000001", "user"), "stored, no queue to wait for");
        assertEquals(0, f.services.queue.submitted());
        r.released();
        assertEquals(1, f.sets(), "the release after it writes nothing more");
    }

    @Test
    void asyncModeWritesAfterTheResponseThroughTheQueue() throws Exception {
        f = MirrorFixture.async();
        MirrorFixture.Req r = f.request();
        r.create("ASYNC00001");
        r.set("user", "alice").completing();
        assertEquals(0, f.services.queue.submitted(), "nothing before the response");
        assertNull(f.stored("ASYNC00001"));
        r.released();
        assertEquals(1, f.services.queue.submitted(), "queued at the release");
        f.settled();
        assertEquals("alice", f.storedAttribute("ASYNC00001", "user"));
    }

    @Test
    void aSyncWriteThatFailedIsWrittenAtTheNextRequestEvenIfUnchanged() throws Exception {
        f = MirrorFixture.sync();
        f.store.failAlways(Op.SET, Fault.TIME_OUT);
        f.write("FAILED0001", "user", "alice"); // tried before the response, and again at the release
        assertNull(f.stored("FAILED0001"));
        assertTrue(f.stats().storeFailures.sum() >= 1);
        f.store.heal();
        MirrorFixture.Req r = f.request();
        r.lookup("FAILED0001");
        r.end();
        assertEquals("alice", f.storedAttribute("FAILED0001", "user"));
    }

    @Test
    void anAsyncWriteThatFailedIsWrittenAtTheNextRequestEvenIfUnchanged() throws Exception {
        f = MirrorFixture.async();
        f.store.failNext(Op.SET, Fault.FAIL);
        f.write("FAILED0002", "user", "alice");
        assertNull(f.stored("FAILED0002"));
        assertEquals(1, f.stats().storeFailures.sum());
        f.read("FAILED0002", "user");
        assertEquals("alice", f.storedAttribute("FAILED0002", "user"));
    }

    @Test
    void aNonSerializableAttributeIsLeftOutAndCountedAndTheRestIsWritten() throws Exception {
        f = MirrorFixture.async();
        MirrorFixture.Req r = f.request();
        r.create("SKIP000001");
        r.set("user", "alice").set("connection", new Object()).end();
        f.settled();
        assertEquals("alice", f.storedAttribute("SKIP000001", "user"));
        assertFalse(f.decoded("SKIP000001").data.attributes().containsKey("connection"));
        assertEquals(1, f.stats().skippedAttributes.sum());
        assertEquals(1, f.stats().writes.sum());
    }

    @Test
    void anOversizedSessionIsNotWrittenAndCountedAndIsWrittenOnceItFits() throws Exception {
        f = new MirrorFixture(new MirrorFixture.Options().maxSize(SessionWriter.ITEM_OVERHEAD + 1024));
        FakeServer.Session s = f.write("LARGE00001", "blob", "x".repeat(4000));
        assertNull(f.stored("LARGE00001"), "over max.size: not stored");
        assertEquals(1, f.stats().oversizedSessions.sum());
        assertEquals(0, f.sets());
        MirrorFixture.Req r = f.request();
        r.lookup("LARGE00001");
        r.remove("blob").set("user", "alice").end();
        f.settled();
        assertEquals("alice", f.storedAttribute("LARGE00001", "user"));
        assertEquals(s, f.server.local.get("LARGE00001"));
    }

    @Test
    void aSyncWriteOfASessionChangedWhileItIsCopiedIsRetriedBeforeTheResponse() throws Exception {
        f = MirrorFixture.sync();
        f.server.concurrentChanges.set(3);
        MirrorFixture.Req r = f.request();
        r.create("BUSY000001");
        r.set("n", 1).completing();
        assertEquals(1, f.storedAttribute("BUSY000001", "n"));
        r.released();
    }

    @Test
    void aSessionWhoseWriteFailedIsWrittenWhenTheStoreIsBack() throws Exception {
        f = MirrorFixture.sync();
        f.store.goDown();
        f.write("RECOVER001", "user", "alice");
        assertNull(f.stored("RECOVER001"));
        f.store.heal();
        f.store.recover(false);
        assertEquals("alice", f.storedAttribute("RECOVER001", "user"), "written without waiting for its next request");
        assertEquals(1, f.stats().recoveryWrites.sum());
    }

    @Test
    void aNodeThatCameBackEmptyGetsEverySessionWrittenAgain() throws Exception {
        f = MirrorFixture.async();
        f.write("EMPTIED001", "user", "alice");
        f.store.wipe();
        f.store.recover(true);
        assertNotNull(f.stored("EMPTIED001"));
        assertEquals("alice", f.storedAttribute("EMPTIED001", "user"));
        assertEquals(1, f.stats().recoveryWrites.sum());
    }

    @Test
    void aNodeBackThatStillHoldsItsSessionsGetsNothingWritten() {
        f = MirrorFixture.async();
        f.write("KEPT000001", "user", "alice");
        f.store.recover(false);
        f.settled();
        assertEquals(1, f.sets());
        assertEquals(0, f.stats().recoveryWrites.sum());
    }
}
