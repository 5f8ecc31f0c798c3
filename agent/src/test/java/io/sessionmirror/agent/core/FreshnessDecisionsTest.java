package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whether the session a lookup finds here is still the newest: sticky, only when it may be behind (a refused write
 * made it stale, it was just taken over); non-sticky, at every request's first look.
 */
class FreshnessDecisionsTest {

    private MirrorFixture f;
    private MirrorFixture other;

    @AfterEach
    void close() {
        if (other != null) {
            other.close();
        }
        if (f != null) {
            f.close();
        }
    }

    private static MirrorFixture.Options nonSticky() {
        return new MirrorFixture.Options().nonSticky(null);
    }

    @Test
    void aStickySessionThatIsNotStaleIsNotCheckedAgainstTheStore() {
        f = MirrorFixture.async();
        f.write("STICKY0001", "user", "alice");
        for (int i = 0; i < 3; i++) {
            f.read("STICKY0001", "user");
        }
        assertEquals(0, f.gets(), "this server's copy is the session");
    }

    @Test
    void aWriteMergedWithANewerCopyMarksTheSessionStaleAndItsNextLookupTakesTheStoredCopy() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session mine = f.write("STALE00001", "user", "alice");
        other = f.otherServer(new MirrorFixture.Options());
        other.write("STALE00001", "cart", 1); // version 2 elsewhere (the balancer moved the user)
        other.write("STALE00001", "cart", 2); // version 3
        f.write("STALE00001", "note", "late"); // this server's version 2, derived from version 1: merged
        assertEquals(1, f.stats().mergedWrites.sum());
        assertEquals(0, f.stats().refusedWrites.sum());
        assertTrue(f.state(mine).stale);
        assertEquals(2, f.storedAttribute("STALE00001", "cart"), "the newer change stays");
        assertEquals("late", f.storedAttribute("STALE00001", "note"), "and this server's is merged in");

        int setsBefore = f.sets();
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.lookup("STALE00001");
        assertEquals(2, s.attributes.get("cart"), "the stored copy, taken at the next lookup");
        assertEquals("late", s.attributes.get("note"));
        assertEquals(1, f.stats().staleRefreshes.sum());
        r.end();
        f.settled();
        assertEquals(setsBefore, f.sets(), "the copy it took is what is stored: not written back");
        assertEquals(false, f.state(s).stale);
    }

    @Test
    void aSessionJustTakenOverIsCheckedAgainstTheStoreUntilTheTakeoverWindowEnds() {
        f = MirrorFixture.async();
        f.write("TAKEOVER01", "user", "alice");
        other = f.otherServer(new MirrorFixture.Options());
        FakeServer.Session s = other.request().lookup("TAKEOVER01");
        int gets = other.gets();
        other.read("TAKEOVER01", "user");
        assertEquals(gets + 1, other.gets(), "within the window: the old server may still write it");
        other.state(s).verifyUntil = 1; // the window is over
        other.read("TAKEOVER01", "user");
        assertEquals(gets + 1, other.gets());
    }

    @Test
    void nonStickyALookupKeepsTheLocalCopyWhenItIsTheNewest() {
        f = new MirrorFixture(nonSticky());
        FakeServer.Session s = f.write("NONSTICKY1", "user", "alice");
        int gets = f.gets();
        MirrorFixture.Req r = f.request();
        assertSame(s, r.lookup("NONSTICKY1"));
        assertEquals(gets + 1, f.gets(), "checked once");
        r.get("user");
        r.lookup("NONSTICKY1");
        assertEquals(gets + 1, f.gets(), "once per request");
        r.end();
        assertEquals(0, f.server.refreshes.get());
    }

    @Test
    void nonStickyALookupTakesANewerStoredVersionInPlace() {
        f = new MirrorFixture(nonSticky());
        FakeServer.Session s = f.write("NONSTICKY2", "user", "alice");
        other = f.otherServer(nonSticky());
        other.write("NONSTICKY2", "cart", "apple");
        MirrorFixture.Req r = f.request();
        assertSame(s, r.lookup("NONSTICKY2"), "refreshed in place");
        assertEquals("apple", s.attributes.get("cart"));
        assertEquals(1, f.server.refreshes.get());
        assertEquals(1, f.stats().staleRefreshes.sum());
        r.end();
        assertEquals(2, f.sets(), "one write per server: the refreshed copy is not written back");
    }

    @Test
    void nonStickyAFamilyThatCannotRefreshInPlaceGetsTheSessionRebuilt() {
        f = new MirrorFixture(nonSticky());
        FakeServer.Session s = f.write("NONSTICKY3", "user", "alice");
        f.server.refreshInPlace = false;
        other = f.otherServer(nonSticky());
        other.write("NONSTICKY3", "cart", "apple");
        FakeServer.Session now = f.request().lookup("NONSTICKY3");
        assertNotSame(s, now);
        assertEquals("apple", now.attributes.get("cart"));
        assertEquals(1, f.server.discards.get());
    }

    @Test
    void nonStickyASessionEndedOnAnotherServerIsDroppedAtItsNextLookup() {
        f = new MirrorFixture(nonSticky());
        f.write("NONSTICKY4", "user", "alice");
        other = f.otherServer(nonSticky());
        MirrorFixture.Req logout = other.request();
        other.invalidate(logout.lookup("NONSTICKY4"));
        assertNull(f.request().lookup("NONSTICKY4"), "logged out elsewhere: gone here too");
        assertEquals(1, f.server.discards.get());
    }

    @Test
    void nonStickyASessionWhoseStoredCopyVanishedIsDropped() {
        f = new MirrorFixture(nonSticky());
        f.write("NONSTICKY5", "user", "alice");
        f.store.wipe(); // timed out in the store: no tombstone, just gone
        assertNull(f.request().lookup("NONSTICKY5"));
    }

    @Test
    void nonStickyTwoServersOneAfterTheOtherEachSeeTheOthersLastWrite() throws Exception {
        f = new MirrorFixture(nonSticky());
        other = f.otherServer(nonSticky());
        f.write("PINGPONG01", "n", 1);
        for (int i = 2; i <= 5; i++) {
            MirrorFixture next = i % 2 == 0 ? other : f;
            MirrorFixture.Req r = next.request();
            FakeServer.Session s = r.session("PINGPONG01");
            assertEquals(i - 1, s.attributes.get("n"), "request " + i + " sees the write before it");
            r.set("n", i).end();
        }
        assertEquals(5, f.storedAttribute("PINGPONG01", "n"));
        assertEquals(5, f.decoded("PINGPONG01").version);
    }

    @Test
    void aStoredCopyThatCannotBeReadIsNoNewerThanTheLocalOne() throws Exception {
        f = new MirrorFixture(nonSticky());
        FakeServer.Session s = f.write("UNREAD0001", "user", "alice");
        byte[] newer = f.seedRaw("UNREAD0001", 5, Map.of("user", "mallory"));
        for (int i = newer.length - 24; i < newer.length; i++) {
            newer[i] = (byte) 0xA5;
        }
        f.store.wipe();
        f.store.set(f.key("UNREAD0001"), newer, 60);
        assertSame(s, f.request().lookup("UNREAD0001"));
        assertEquals("alice", s.attributes.get("user"));
    }
}
