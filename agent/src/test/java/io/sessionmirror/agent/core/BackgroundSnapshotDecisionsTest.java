package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.it.Poll;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * write=async snapshots on the writer thread ({@link BackgroundSnapshots}): a request thread only queues; the
 * writer serializes once no request uses the session, at most once per write.interval, and takes a snapshot
 * again when a request started meanwhile. Each test forces its interleaving with latches, never with a sleep.
 */
class BackgroundSnapshotDecisionsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static MirrorFixture withInterval(long millis) {
        return MirrorFixture.async(new MirrorFixture.Options().writeInterval(millis));
    }

    @SuppressWarnings("unchecked")
    private static List<String> cart(MirrorFixture f, String id) throws Exception {
        return (List<String>) f.storedAttribute(id, "cart");
    }

    @Test
    void readsOfAMutableAttributeAreCheckedOncePerIntervalNotOncePerRequest() throws Exception {
        try (MirrorFixture f = withInterval(60_000)) {
            f.write("s1", "cart", new ArrayList<>(List.of("a")));
            long serialized = f.stats().serializeNanos.count();
            for (int i = 0; i < 1000; i++) {
                MirrorFixture.Req r = f.request();
                r.lookup("s1");
                r.get("cart");
                r.end();
            }
            assertEquals(serialized, f.stats().serializeNanos.count(), "no request thread serialized the session");
            assertEquals(1, f.services.queue.depth(), "one check queued for 1,000 reads");
            f.services.queue.close(); // a shutdown: what waits for its interval is done now
            f.settled();
            assertEquals(serialized + 1, f.stats().serializeNanos.count(), "one check for the 1,000 reads");
            assertEquals(1, f.sets(), "nothing changed: nothing written after the first write");
        }
    }

    @Test
    void aChangeMadeInPlaceWithinTheIntervalIsWrittenAtItsEnd() throws Exception {
        try (MirrorFixture f = withInterval(60_000)) {
            f.write("s1", "cart", new ArrayList<>(List.of("a")));
            MirrorFixture.Req r = f.request();
            r.lookup("s1");
            @SuppressWarnings("unchecked")
            List<String> cart = (List<String>) r.get("cart");
            cart.add("b");
            r.end();
            assertEquals(List.of("a"), cart(f, "s1"), "held back by the interval");
            f.services.queue.close();
            f.settled();
            assertEquals(List.of("a", "b"), cart(f, "s1"));
        }
    }

    /** Tomcat and Undertow report each start of use; Jetty counts its requests itself and the agent reads that. */
    @ParameterizedTest(name = "server counts its own requests: {0}")
    @ValueSource(booleans = {false, true})
    void noSnapshotIsTakenWhileARequestUsesTheSession(boolean serverCounts) throws Exception {
        try (MirrorFixture f = MirrorFixture.async()) {
            f.server.countsOwnUse = serverCounts;
            f.write("s1", "cart", new ArrayList<>(List.of("a")));
            MirrorFixture.Req a = f.request();
            a.lookup("s1");
            @SuppressWarnings("unchecked")
            List<String> held = (List<String>) a.get("cart"); // request A holds the session and its cart

            MirrorFixture.Req b = f.request();
            b.lookup("s1");
            b.set("n", 1);
            b.end(); // B is done: its change is queued, but A still uses the session
            SessionState state = f.state(b.session);
            Poll.until("the writer put the snapshot back for A", WAIT,
                    () -> state.queued() != null && state.queued().waitsForRelease);
            assertNull(f.storedAttribute("s1", "n"), "not snapshotted while A used the session");

            held.add("a2"); // A changes the cart in place, then ends
            a.end();
            f.settled();
            assertEquals(1, f.storedAttribute("s1", "n"));
            assertEquals(List.of("a", "a2"), cart(f, "s1"), "the one snapshot has both requests' changes, whole");
            assertEquals(2, f.sets(), "the first write, then one for both requests");
        }
    }

    @Test
    void aSnapshotDuringWhichARequestStartedIsThrownAwayAndTakenAgain() throws Exception {
        try (MirrorFixture f = MirrorFixture.async()) {
            f.write("s1", "cart", new ArrayList<>(List.of("a")));
            CountDownLatch inSnapshot = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            AtomicBoolean once = new AtomicBoolean();
            f.server.duringSnapshot = () -> {
                if (once.compareAndSet(false, true)) {
                    inSnapshot.countDown();
                    await(proceed);
                }
            };
            MirrorFixture.Req b = f.request();
            b.lookup("s1");
            b.set("n", 1);
            b.end();
            await(inSnapshot); // the writer is in the middle of B's snapshot

            MirrorFixture.Req c = f.request(); // C starts, changes the cart in place and ends meanwhile
            c.lookup("s1");
            @SuppressWarnings("unchecked")
            List<String> cart = (List<String>) c.get("cart");
            cart.add("c");
            c.end();
            proceed.countDown();
            f.settled();
            assertEquals(1, f.stats().retakenSnapshots.sum(), "the snapshot C overlapped was thrown away");
            assertEquals(List.of("a", "c"), cart(f, "s1"));
            assertEquals(1, f.storedAttribute("s1", "n"));
            assertEquals(2, f.sets(), "the torn snapshot was never stored");
        }
    }

    @Test
    void aUseThatNeverEndsHoldsTheWriteBackForAboutOneSecondOnly() throws Exception {
        try (MirrorFixture f = MirrorFixture.async()) {
            f.write("s1", "n", 0);
            MirrorFixture.Req stuck = f.request();
            stuck.lookup("s1"); // a start of use whose end the agent never sees
            f.write("s1", "n", 1);
            Poll.until("the change was written although a use never ended", WAIT,
                    () -> Integer.valueOf(1).equals(f.storedAttribute("s1", "n")));
            assertEquals(1, f.stats().busySnapshots.sum());
            assertTrue(f.stats().writeDelayNanos.percentile(100) >= TimeUnit.MILLISECONDS.toNanos(
                    BackgroundSnapshots.BUSY_LIMIT_MILLIS), "it waited for the busy limit first");
        }
    }

    @Test
    void aLogoutOvertakesAWriteHeldBackByTheInterval() throws Exception {
        try (MirrorFixture f = withInterval(60_000)) {
            FakeServer.Session s = f.write("s1", "n", 1);
            MirrorFixture.Req r = f.request();
            r.lookup("s1");
            r.set("n", 2);
            r.end(); // held back for a minute
            f.invalidate(s);
            f.settled(); // within 5 s: the tombstone replaced the held-back write, nothing waits for the interval
            assertTrue(f.tombstoned("s1"));
            assertEquals(0, f.services.queue.depth());
        }
    }

    @Test
    void aLoginWritesWhatAHeldBackSnapshotHadUnderTheNewIdAndEndsTheOldOne() throws Exception {
        try (MirrorFixture f = withInterval(60_000)) {
            FakeServer.Session s = f.write("s1", "n", 1);
            MirrorFixture.Req r = f.request();
            r.lookup("s1");
            r.set("n", 2);
            r.end(); // held back under s1's key
            f.changeId(s, "s2");
            MirrorFixture.Req after = f.request(); // the session's next change goes under the new id
            assertNotNull(after.lookup("s2"));
            after.set("n", 3);
            after.end();
            f.services.queue.close();
            f.settled();
            assertTrue(f.tombstoned("s1"));
            assertEquals(3, f.storedAttribute("s2", "n"));
        }
    }

    /**
     * The race behind a rolling-upgrade failure seen in CI: the writer takes a snapshot task of the session's old key
     * off the queue, a login changes the id (and queues the old key's tombstone) before the writer gets the session's
     * lock, and the writer then finds the login's request still using the session. Putting the task back under the
     * old key lost it behind the tombstone, while the session still counted it as queued: nothing of the session was
     * written again, ever.
     */
    @Test
    void aSnapshotTakenOffTheQueueWhileALoginChangesTheIdIsWrittenUnderTheNewId() throws Exception {
        try (MirrorFixture f = MirrorFixture.async()) {
            FakeServer.Session s = f.write("s1", "saved", "request");
            SessionState state = f.state(s);
            MirrorFixture.Req login = f.request();
            synchronized (state) { // the writer cannot snapshot until the login has changed the id
                login.lookup("s1"); // the login's request uses the session until its end
                MirrorFixture.Req before = f.request();
                before.lookup("s1");
                before.set("cart", "apple");
                before.end(); // its snapshot is queued under s1's key; the writer takes it and waits for the lock
                awaitBlockedOn(state);
                f.changeId(s, "s2");
            }
            // The writer has looked at the session: it waits for the login's request to end, or let its task go.
            Poll.until("the writer handled the snapshot", WAIT, () -> {
                SnapshotTask queued = state.queued();
                return queued == null || queued.waitsForRelease;
            });
            login.set("context", "bob");
            login.end();
            MirrorFixture.Req after = f.request();
            assertNotNull(after.lookup("s2"));
            after.set("prefs", "dark");
            after.end();
            f.settled();
            assertTrue(f.tombstoned("s1"));
            assertEquals("bob", f.storedAttribute("s2", "context"), "the login's change is stored under the new id");
            assertEquals("dark", f.storedAttribute("s2", "prefs"), "and every change after it");
            assertEquals("apple", f.storedAttribute("s2", "cart"));
        }
    }

    @Test
    void aSnapshotThatFailedBeforeItLetGoOfTheSessionDoesNotHoldBackItsLaterWrites() throws Exception {
        try (MirrorFixture f = MirrorFixture.async()) {
            f.write("s1", "n", 1);
            f.server.failingUseCounts.set(1); // the writer's look at the session fails once
            MirrorFixture.Req r = f.request();
            r.lookup("s1");
            r.set("n", 2);
            r.end();
            f.settled();
            assertEquals(1, f.storedAttribute("s1", "n"), "that snapshot failed");
            assertEquals(1, f.stats().failures.sum(), "counted");
            assertEquals(0, f.stats().storeFailures.sum(), "as the agent's failure, not Memcached's");
            f.write("s1", "n", 3);
            assertEquals(3, f.storedAttribute("s1", "n"), "the next change is written");
        }
    }

    /** Waits until a thread (the writer) is blocked on {@code lock}'s monitor. */
    private static void awaitBlockedOn(Object lock) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int wanted = System.identityHashCode(lock);
        Poll.until("the writer waits for the session's lock", WAIT, () -> {
            for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (t != null && t.getThreadState() == Thread.State.BLOCKED && t.getLockInfo() != null
                        && t.getLockInfo().getIdentityHashCode() == wanted) {
                    return true;
                }
            }
            return false;
        });
    }

    @Test
    void aShutdownWritesWhatTheIntervalHeldBack() throws Exception {
        try (MirrorFixture f = withInterval(60_000)) {
            f.write("s1", "n", 1);
            MirrorFixture.Req r = f.request();
            r.lookup("s1");
            r.set("n", 2);
            r.end();
            assertEquals(1, f.storedAttribute("s1", "n"));
            ShutdownDrain.Outcome o = new ShutdownDrain(f.services.requests, f.services.queue, null, 0).run(5000, null);
            assertEquals(0, o.unwritten);
            assertEquals(2, f.storedAttribute("s1", "n"));
        }
    }

    /**
     * A server's stop tears its sessions down while their snapshots may still be queued (Undertow's servlet layer
     * removes every attribute of a session it undeploys, without invalidating it): the last change is written
     * when the stop reports the session, and what the teardown does after is never written over it.
     */
    @Test
    void aStopWritesThePendingChangeAndNeverTheTeardown() throws Exception {
        try (MirrorFixture f = withInterval(60_000)) {
            FakeServer.Session s = f.write("s1", "n", 1);
            MirrorFixture.Req r = f.request();
            r.lookup("s1");
            r.set("n", 2);
            r.end(); // its snapshot waits for the interval
            f.mirror.sessionDestroyed(s, ContainerAdapter.DestroyCause.SHUTDOWN); // the session is still valid here
            assertEquals(2, f.storedAttribute("s1", "n"), "written when the stop reported it");
            s.attributes.clear(); // the teardown
            f.mirror.attributeWritten(s, "n");
            f.mirror.sessionReleased(s); // a request that ends meanwhile
            f.services.queue.close();
            f.settled();
            assertEquals(2, f.storedAttribute("s1", "n"), "the torn-down session was not written over it");
        }
    }

    @Test
    void aWriteIsQueuedOncePerSessionNotOncePerRequest() throws Exception {
        try (MirrorFixture f = withInterval(60_000)) {
            f.write("s1", "n", 0);
            for (int i = 1; i <= 500; i++) {
                MirrorFixture.Req r = f.request();
                r.lookup("s1");
                r.set("n", i);
                r.end();
            }
            assertEquals(1, f.services.queue.depth());
            f.services.queue.close();
            f.settled();
            assertEquals(500, f.storedAttribute("s1", "n"));
            assertEquals(2, f.sets(), "a hot session: one write per interval");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS), "latch");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
