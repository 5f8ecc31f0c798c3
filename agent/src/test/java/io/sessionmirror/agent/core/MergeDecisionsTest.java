package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.store.InMemorySessionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Non-sticky without a lock, two servers over one store: a write derived from a copy another server has written
 * over meanwhile is merged with it per attribute (counted {@code mergedWrites}), and the writer's local copy is
 * then behind: its next lookup takes the merge. A refresh does not undo a change a request here has not written yet.
 */
class MergeDecisionsTest {

    private MirrorFixture a;
    private MirrorFixture b;

    @AfterEach
    void close() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static MirrorFixture.Options nonSticky() {
        return new MirrorFixture.Options().nonSticky(null);
    }

    @Test
    void twoServersChangingDifferentAttributesAtOnceBothSurvive() throws Exception {
        a = MirrorFixture.async(nonSticky());
        b = a.otherServer(nonSticky());
        String id = "MERGE00001";
        a.write(id, "start", 0);

        // Both requests look the session up before either writes: both derive from version 1.
        MirrorFixture.Req onA = a.request();
        onA.lookup(id);
        MirrorFixture.Req onB = b.request();
        onB.lookup(id);
        onA.set("x", 1).end();
        onB.set("y", 1).end();

        assertEquals(0, a.stats().mergedWrites.sum(), "A's write follows the copy it loaded: a plain replace");
        assertEquals(1, b.stats().mergedWrites.sum(), "B's write was derived from a copy A replaced: merged");
        assertEquals(0, b.stats().refusedWrites.sum());
        assertEquals(1, b.storedAttribute(id, "x"), "A's change survives B's write");
        assertEquals(1, b.storedAttribute(id, "y"), "and B's is there");
        assertTrue(b.state(onB.session).stale, "B's local copy lacks A's change: its next lookup refreshes");

        MirrorFixture.Req next = b.request();
        FakeServer.Session s = next.lookup(id);
        assertEquals(1, s.attributes.get("x"), "B's next request sees A's change");
        next.end();
        MirrorFixture.Req onA2 = a.request();
        assertEquals(1, onA2.lookup(id).attributes.get("y"), "and A's sees B's");
        onA2.end();
    }

    @Test
    void aRefreshKeepsTheChangesOfARequestHereThatHasNotWrittenYet() throws Exception {
        a = MirrorFixture.async(nonSticky());
        b = a.otherServer(nonSticky());
        String id = "MERGE00002";
        a.write(id, "start", 0);

        MirrorFixture.Req slow = a.request(); // a slow request on A: changes x, still running
        slow.lookup(id);
        slow.set("x", 1);
        b.write(id, "y", 1); // meanwhile B writes y
        MirrorFixture.Req quick = a.request(); // another request of the user on A: the stored copy is newer
        FakeServer.Session s = quick.lookup(id);
        assertEquals(1, s.attributes.get("y"), "the stored copy's change is taken");
        assertEquals(1, s.attributes.get("x"), "the slow request's unwritten change is kept");
        quick.end();
        slow.end();
        assertEquals(1, a.storedAttribute(id, "x"), "and written");
        assertEquals(1, a.storedAttribute(id, "y"));
    }

    @Test
    void aRefreshAfterAWriteThatFailedKeepsThatWritesChanges() throws Exception {
        a = MirrorFixture.async(nonSticky().sync());
        b = a.otherServer(nonSticky().sync());
        String id = "MERGE00003";
        a.write(id, "start", 0);

        a.store.failAlways(InMemorySessionStore.Op.SET, InMemorySessionStore.Fault.FAIL);
        MirrorFixture.Req failed = a.request(); // its writes of x fail: the store does not answer for a while
        failed.lookup(id);
        failed.set("x", 1).end();
        a.store.heal();
        assertEquals(null, a.storedAttribute(id, "x"), "not stored");
        b.write(id, "y", 1); // meanwhile B writes y
        MirrorFixture.Req next = a.request(); // the user's next request on A: the stored copy is newer
        FakeServer.Session s = next.lookup(id);
        assertEquals(1, s.attributes.get("y"), "the stored copy's change is taken");
        assertEquals(1, s.attributes.get("x"), "the change whose write failed is kept, not undone by the refresh");
        next.end();
        assertEquals(1, a.storedAttribute(id, "x"), "and written at that request's end");
        assertEquals(1, a.storedAttribute(id, "y"));
    }

    @Test
    void aRefreshLeavesAloneWhatOnlyThisServerHolds() throws Exception {
        a = MirrorFixture.async(nonSticky().sync());
        b = a.otherServer(nonSticky().sync());
        String id = "MERGE00004";
        java.util.List<String> cart = new java.util.ArrayList<>(java.util.List.of("apple"));
        a.write(id, "cart", cart);

        MirrorFixture.Req running = a.request(); // a request on A holds the cart it read, and will add to it
        running.lookup(id);
        @SuppressWarnings("unchecked")
        java.util.List<String> held = (java.util.List<String>) running.get("cart");
        b.write(id, "y", 1); // meanwhile B changes another attribute
        // another request of the user on A, on its own thread (as a server runs it): the stored copy is newer
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            MirrorFixture.Req other = a.request();
            FakeServer.Session s = other.lookup(id);
            assertEquals(1, s.attributes.get("y"), "B's change is taken");
            assertTrue(s.attributes.get("cart") == held, "the cart a running request holds is not swapped for a copy");
            other.end();
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        held.add("pear"); // the running request changes the cart in place
        running.end();
        assertEquals(java.util.List.of("apple", "pear"), a.storedAttribute(id, "cart"), "its change is written");
        assertEquals(1, a.storedAttribute(id, "y"));
    }
}
