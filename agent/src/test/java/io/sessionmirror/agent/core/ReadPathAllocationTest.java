package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: a read-only request costs the agent no allocation on the request thread, once warm. Hot sessions
 * (32, taken in turn), known and unchanged; requests driven through the hooks in the Tomcat advice's order, with
 * request objects reused as a server recycles them, so that what is counted is the agent's alone. The bytes come
 * from the JVM's per-thread allocation counter read around each hook, so a failure names the hooks that allocate.
 * The write queue's thread is not counted: a read-only request queues nothing (the touch is not due).
 */
class ReadPathAllocationTest {

    private static final int SESSIONS = 32;
    private static final int WARM_UP = 30_000;
    private static final int MEASURED = 10_000;
    private static final String[] HOOKS = {"requestStarting", "sessionFound+sessionAcquired", "attributeRead(String)",
        "attributeRead(ArrayList)", "requestCompleting", "sessionReleased"};

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private MirrorFixture fx;
    private final FakeServer.Session[] sessions = new FakeServer.Session[SESSIONS];
    private final FakeServer.Request[] requests = new FakeServer.Request[SESSIONS];
    /** Bytes allocated inside each hook, over the measured requests. */
    private final long[] bytes = new long[HOOKS.length];
    /** What reading the counter twice allocates by itself, subtracted from every reading. */
    private long overhead;

    @BeforeEach
    void hotSessions() {
        assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "this JVM counts allocated bytes per thread");
        // The serializer a server runs with by default (the fixture's is Java's).
        // write.interval long enough that the one check a mutable read queues per session is still queued when
        // the measured requests run: what is measured is the request's own path (the check is one small task per
        // session and interval: amortized, nothing).
        fx = new MirrorFixture(new MirrorFixture.Options().codec(
                new SessionCodec(null, -1, new FstSerializer(), new JavaSerializer())));
        for (int i = 0; i < SESSIONS; i++) {
            String id = "hot-" + i;
            List<String> cart = new ArrayList<>(List.of("SKU-100001", "SKU-100002"));
            fx.write(id, "user", "alice" + i + "@example.com");
            sessions[i] = fx.write(id, "cart", cart);
            requests[i] = new FakeServer.Request("/app/page");
        }
        fx.services.writeIntervalMillis = 600_000; // from now on (the writes above were not held back)
        overhead = calibrate();
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void readingAnImmutableAndAMutableAttributeAllocatesNothing() {
        assertAllocationFree(true);
    }

    @Test
    void readingImmutableAttributesOnlyAllocatesNothing() {
        assertAllocationFree(false);
    }

    private void assertAllocationFree(boolean readMutable) {
        long writesBefore = fx.sets();
        for (int n = 0; n < WARM_UP; n++) {
            request(n % SESSIONS, readMutable);
        }
        java.util.Arrays.fill(bytes, 0);
        for (int n = 0; n < MEASURED; n++) {
            request(n % SESSIONS, readMutable);
        }
        assertTrue(fx.services.queue.depth() <= SESSIONS, "at most one check queued per session");
        fx.services.queue.close(); // what waits for its interval is done now
        fx.settled();
        assertEquals(writesBefore, fx.sets(), "a read-only request writes nothing");
        long total = 0;
        StringBuilder perHook = new StringBuilder();
        for (int h = 0; h < HOOKS.length; h++) {
            total += bytes[h];
            perHook.append(String.format("%n  %-26s %8.1f B/request", HOOKS[h], (double) bytes[h] / MEASURED));
        }
        double perRequest = (double) total / MEASURED;
        assertTrue(perRequest < 1.0, String.format("the agent allocated %.1f bytes per read-only request on the"
                + " request thread (should be none):%s", perRequest, perHook));
    }

    /** One read-only request on session {@code i}, each hook's allocation added to {@link #bytes}. */
    private void request(int i, boolean readMutable) {
        SessionMirror m = fx.mirror;
        FakeServer.Request r = requests[i];
        FakeServer.Session s = sessions[i];

        long t = allocated();
        m.requestStarting(r);
        count(0, t);
        Object local = fx.server.findLocal(FakeServer.MANAGER, s.id); // the manager's own lookup: not counted
        t = allocated();
        Object found = m.sessionFound(FakeServer.MANAGER, local, null);
        m.sessionAcquired(found, null); // Tomcat's access(), right after the lookup
        t = count(1, t);
        assertTrue(found == s, "the lookup finds the session here");
        r.session = s;

        t = allocated();
        m.attributeRead(s, s.attributes.get("user"));
        t = count(2, t);
        if (readMutable) {
            m.attributeRead(s, s.attributes.get("cart"));
            t = count(3, t);
        }
        m.requestCompleting(r);
        t = count(4, t);
        m.sessionReleased(s);
        count(5, t);
        r.session = null;
    }

    /** Adds what hook {@code h} allocated since {@code since}; returns a new starting point. */
    private long count(int h, long since) {
        long now = allocated();
        bytes[h] += Math.max(0, now - since - overhead);
        return allocated();
    }

    private static long allocated() {
        // By id (the sources are built for an older release than getCurrentThreadAllocatedBytes): the JDK reads
        // the calling thread's counter directly for its own id, without allocating.
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** The smallest allocation measured between two readings with nothing in between, once warm. */
    private static long calibrate() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 100_000; i++) {
            long a = allocated();
            long b = allocated();
            least = Math.min(least, b - a);
        }
        return least;
    }
}
