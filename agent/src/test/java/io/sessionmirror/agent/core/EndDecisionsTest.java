package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.core.ContainerAdapter.DestroyCause;
import io.sessionmirror.agent.store.InMemorySessionStore;
import io.sessionmirror.agent.store.InMemorySessionStore.Op;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ends of a session under one id: invalidate (tombstone), timeout (a tombstone only over the copy this server
 * knew), shutdown (the stored copy is kept, a pending change written), a new id (the old one ended, the new one
 * written). A tombstoned id is never restored nor written again.
 */
class EndDecisionsTest {

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

    // ---------------------------------------------------------------- invalidate, timeout, shutdown

    @Test
    void anInvalidatedSessionLeavesATombstone() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("LOGOUT0001", "user", "alice");
        f.invalidate(s);
        f.settled();
        assertTrue(f.tombstoned("LOGOUT0001"));
        assertEquals(1, f.stats().deletes.sum());
    }

    @Test
    void syncModeStoresTheTombstoneOfAnInvalidatedSessionAtOnce() {
        f = MirrorFixture.sync();
        FakeServer.Session s = f.write("LOGOUT0002", "user", "alice");
        long queued = f.services.queue.submitted();
        f.invalidate(s);
        assertTrue(f.tombstoned("LOGOUT0002"), "no queue to wait for");
        assertEquals(queued, f.services.queue.submitted());
    }

    @Test
    void aSessionTimedOutHereIsEndedWhenNoOtherServerWroteItSince() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("TIMEOUT001", "user", "alice");
        f.end(s, DestroyCause.TIMED_OUT);
        f.settled();
        assertTrue(f.tombstoned("TIMEOUT001"));
    }

    @Test
    void aSessionTimedOutHereKeepsTheCopyAnotherServerWroteSince() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("TIMEOUT002", "user", "alice");
        other = f.otherServer(new MirrorFixture.Options());
        other.write("TIMEOUT002", "cart", "apple"); // the user moved on: restored there, and changed
        f.end(s, DestroyCause.TIMED_OUT); // this server's copy was idle for its timeout
        f.settled();
        assertFalse(f.tombstoned("TIMEOUT002"), "the other server's copy is alive");
        assertEquals("apple", f.storedAttribute("TIMEOUT002", "cart"));
    }

    @Test
    void aShutdownKeepsTheStoredCopy() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("SHUTDOWN01", "user", "alice");
        f.end(s, DestroyCause.SHUTDOWN);
        f.settled();
        assertEquals(0, f.tombstones());
        assertEquals("alice", f.storedAttribute("SHUTDOWN01", "user"), "what failover is for");
    }

    @Test
    void aShutdownWritesTheChangeOfARequestStillFinishing() throws Exception {
        f = MirrorFixture.async();
        f.write("SHUTDOWN02", "user", "alice");
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.lookup("SHUTDOWN02");
        r.set("cart", "apple"); // the request is still running when the web app stops
        f.end(s, DestroyCause.SHUTDOWN);
        assertEquals("apple", f.storedAttribute("SHUTDOWN02", "cart"), "written at once, while still valid");
        assertEquals(0, f.tombstones());
        r.end();
        f.settled();
        assertEquals(0, f.stats().refusedWrites.sum());
    }

    @Test
    void aDestroyThatIsNotOursChangesNothing() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("IGNORE0001", "user", "alice");
        f.mirror.sessionDestroyed(s, DestroyCause.IGNORE);
        f.settled();
        assertEquals(0, f.tombstones());
        f.write("IGNORE0001", "user", "bob");
        assertEquals("bob", f.storedAttribute("IGNORE0001", "user"), "still mirrored");
    }

    // ---------------------------------------------------------------- tombstones

    @Test
    void anInvalidatedSessionIsNeverWrittenAgainByARequestStillRunning() {
        f = MirrorFixture.async();
        f.write("ENDED00001", "user", "alice");
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.lookup("ENDED00001");
        r.set("cart", "apple");
        f.invalidate(s); // another request logs out; this one still ends
        r.end();
        f.settled();
        assertTrue(f.tombstoned("ENDED00001"));
        assertEquals(1, f.sets(), "nothing of it after its end");
    }

    @Test
    void aTombstoneSupersedesAPendingWriteOfTheSameSession() throws Exception {
        f = MirrorFixture.async();
        InMemorySessionStore.Pause writer = f.store.pauseNext(Op.SET);
        MirrorFixture.Req blocker = f.request();
        blocker.create("BLOCKER001");
        blocker.set("x", 1).end(); // the writer thread is held inside this write
        assertTrue(writer.awaitArrived(5000));
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.create("PENDING001");
        r.set("user", "alice").end(); // queued behind the held write
        f.invalidate(s);
        writer.release();
        f.settled();
        assertTrue(f.tombstoned("PENDING001"));
        assertEquals(1, f.sets(), "the pending write was never started");
    }

    @Test
    void anIdEndedHereIsNotRestoredWhileItsTombstoneIsOnItsWay() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("ONITSWAY01", "user", "alice");
        InMemorySessionStore.Pause writer = f.store.pauseNext(Op.SET);
        MirrorFixture.Req blocker = f.request();
        blocker.create("BLOCKER002");
        blocker.set("x", 1).end();
        assertTrue(writer.awaitArrived(5000));
        f.invalidate(s);
        assertTrue(f.stored("ONITSWAY01") != null && !f.tombstoned("ONITSWAY01"), "the tombstone is still queued");
        assertNull(f.request().lookup("ONITSWAY01"), "not brought back from the copy about to end");
        writer.release();
        f.settled();
        assertNull(f.request().lookup("ONITSWAY01"));
        assertEquals(0, f.server.restores.get());
    }

    @Test
    void aTombstonedIdIsNotRecreatedByAStaleServerWritingIt() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("STALEEND01", "user", "alice");
        other = f.otherServer(new MirrorFixture.Options());
        MirrorFixture.Req r = other.request();
        other.invalidate(r.lookup("STALEEND01")); // logged out on the other server
        other.settled();
        f.write("STALEEND01", "cart", "apple"); // this server still had it: its write is refused
        assertTrue(f.tombstoned("STALEEND01"));
        assertEquals(1, f.stats().refusedWrites.sum());
        assertTrue(f.state(s).stale);
        assertNull(f.request().lookup("STALEEND01"), "its next lookup drops it");
    }

    // ---------------------------------------------------------------- id change

    @Test
    void anIdChangeEndsTheOldIdAndWritesTheNewOne() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("OLDID00001", "user", "anonymous");
        f.changeId(s, "NEWID00001");
        f.settled();
        assertTrue(f.tombstoned("OLDID00001"), "fixation through the old id is closed");
        assertEquals("anonymous", f.storedAttribute("NEWID00001", "user"));
    }

    @Test
    void syncModeEndsTheOldIdAndWritesTheNewOneAtOnce() throws Exception {
        f = MirrorFixture.sync();
        FakeServer.Session s = f.write("OLDID00002", "user", "anonymous");
        f.changeId(s, "NEWID00002");
        assertTrue(f.tombstoned("OLDID00002"));
        assertEquals("anonymous", f.storedAttribute("NEWID00002", "user"));
    }

    @Test
    void aChangeAfterAnIdChangeIsWrittenUnderTheNewIdOnly() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("OLDID00003", "user", "anonymous");
        MirrorFixture.Req login = f.request();
        login.lookup("OLDID00003");
        f.changeId(s, "NEWID00003");
        login.set("user", "alice").end();
        f.settled();
        assertTrue(f.tombstoned("OLDID00003"));
        assertEquals("alice", f.storedAttribute("NEWID00003", "user"));
        f.write("NEWID00003", "cart", "apple");
        assertTrue(f.tombstoned("OLDID00003"));
        assertEquals("apple", f.storedAttribute("NEWID00003", "cart"));
    }

    @Test
    void theOldIdOfAnIdChangeIsNeverRestored() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("OLDID00004", "user", "anonymous");
        f.changeId(s, "NEWID00004");
        f.settled();
        assertNull(f.request().lookup("OLDID00004"));
        assertEquals(0, f.server.restores.get());
    }

    @Test
    void aSessionFirstSeenAtItsIdChangeKeepsItsWebApp() throws Exception {
        f = MirrorFixture.async();
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.create("OLDID00005"); // created by this request, never written yet
        r.set("user", "anonymous");
        f.changeId(s, "NEWID00005"); // the login changes the id before the request ends
        r.end();
        f.settled();
        assertEquals("anonymous", f.storedAttribute("NEWID00005", "user"));
        assertEquals(1, f.stats().requests.sum(), "counted for its web app");
        assertEquals(1, f.state(s).app == f.server.app ? 1 : 0, "the state knows its web app");
    }

    @Test
    void anIdChangeOfTheRouteOnlyKeepsTheSameStoredCopy() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("ROUTE00001.node1", "user", "alice");
        f.changeId(s, "ROUTE00001.node2"); // failover rewrote the route: same session, same key
        f.settled();
        assertEquals(0, f.tombstones());
        assertEquals(1, f.sets());
        assertEquals("alice", f.storedAttribute("ROUTE00001", "user"));
    }

    @Test
    void anIdChangedSessionKeepsItsVersionsSoTheNewIdIsNotRefused() throws Exception {
        f = MirrorFixture.async();
        f.seed("OLDID00006", 9, Map.of("user", "anonymous"));
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.lookup("OLDID00006");
        r.end();
        f.changeId(s, "NEWID00006");
        f.settled();
        assertEquals(10, f.decoded("NEWID00006").version);
        assertEquals(0, f.stats().refusedWrites.sum());
    }
}
