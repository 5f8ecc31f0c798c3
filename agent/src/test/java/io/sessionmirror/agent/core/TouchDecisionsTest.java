package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session that is only read keeps its stored copy alive with a touch, at most once per touch interval (a tenth of
 * its timeout, 1 s to 60 s); a write refreshes it too. Time passes by ageing the session's last refresh.
 */
class TouchDecisionsTest {

    /** The touch interval of a 30-minute session: a tenth of it, capped at a minute. */
    private static final long INTERVAL = 60_000;

    private MirrorFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aReadOnlyRequestWithinTheTouchIntervalDoesNotTouch() {
        f = MirrorFixture.async();
        f.write("TOUCH00001", "user", "alice");
        f.read("TOUCH00001", "user");
        assertEquals(0, f.touches());
    }

    @Test
    void aReadOnlyRequestJustBeforeTheIntervalHasPassedDoesNotTouch() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("TOUCH00006", "user", "alice");
        f.age(s, INTERVAL - 2000);
        f.read("TOUCH00006", "user");
        assertEquals(0, f.touches());
    }

    @Test
    void aShortSessionIsTouchedEverySecondAtMost() {
        f = MirrorFixture.async();
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.create("SHORT00001");
        s.maxInactiveSeconds = 5; // a tenth would be half a second: one second at least
        r.set("user", "alice").end();
        f.settled();
        f.age(s, 600);
        f.read("SHORT00001", "user");
        assertEquals(0, f.touches());
        f.age(s, 500);
        f.read("SHORT00001", "user");
        assertEquals(1, f.touches());
    }

    @Test
    void aReadOnlyRequestOnceTheIntervalHasPassedTouches() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("TOUCH00002", "user", "alice");
        f.age(s, INTERVAL);
        f.read("TOUCH00002", "user");
        assertEquals(1, f.touches());
        assertEquals(1, f.stats().touches.sum());
        assertEquals(1, f.sets(), "a touch, not a write");
    }

    @Test
    void manyReadOnlyRequestsTouchAtMostOncePerInterval() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("TOUCH00003", "user", "alice");
        f.age(s, INTERVAL);
        for (int i = 0; i < 5; i++) {
            f.read("TOUCH00003", "user");
        }
        assertEquals(1, f.touches());
        f.age(s, INTERVAL);
        f.read("TOUCH00003", "user");
        assertEquals(2, f.touches(), "the next interval: one more");
    }

    @Test
    void noTouchWhileWritesHappen() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("TOUCH00004", "n", 0);
        f.age(s, INTERVAL);
        f.write("TOUCH00004", "n", 1); // a write extends the stored copy's life as well
        f.read("TOUCH00004", "n");
        f.write("TOUCH00004", "n", 2);
        f.read("TOUCH00004", "n");
        assertEquals(0, f.touches());
        assertEquals(3, f.sets());
    }

    @Test
    void aTouchExtendsTheStoredCopysExpiry() {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("TOUCH00005", "user", "alice");
        long full = ExpiryPolicy.expirySeconds(1800);
        assertEquals(full, f.store.expiresInSeconds(f.key("TOUCH00005")));
        f.store.advanceClock(INTERVAL);
        f.age(s, INTERVAL);
        f.read("TOUCH00005", "user");
        assertEquals(full, f.store.expiresInSeconds(f.key("TOUCH00005")), "its full life again, from now");
    }

    @Test
    void aSessionThatNeverExpiresIsNeverTouched() {
        f = MirrorFixture.async();
        MirrorFixture.Req r = f.request();
        FakeServer.Session s = r.create("FOREVER001");
        s.maxInactiveSeconds = -1;
        r.set("user", "alice").end();
        f.settled();
        assertEquals(-1L, f.store.expiresInSeconds(f.key("FOREVER001")), "stored without expiry");
        f.age(s, 24 * 3600_000L);
        f.read("FOREVER001", "user");
        assertEquals(0, f.touches());
    }

    @Test
    void aTouchThatFindsTheStoredCopyGoneMakesTheNextRequestWriteIt() throws Exception {
        f = MirrorFixture.async();
        FakeServer.Session s = f.write("GONE000001", "user", "alice");
        f.store.wipe(); // memcached restarted
        f.age(s, INTERVAL);
        f.read("GONE000001", "user");
        assertEquals(1, f.touches());
        assertEquals(0, f.stats().touches.sum(), "nothing was touched");
        f.read("GONE000001", "user"); // unchanged, but its copy is gone
        assertEquals("alice", f.storedAttribute("GONE000001", "user"));
    }
}
