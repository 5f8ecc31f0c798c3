package io.sessionmirror.agent.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Memcached reads an expiry above 30 days as an absolute Unix time: longer lifetimes must be converted. */
class ClusterTest {

    @Test
    void expiriesBeyondThirtyDaysBecomeAbsoluteTimes() {
        assertEquals(1800, Cluster.expiry(1800));
        assertEquals(Cluster.MAX_RELATIVE_EXPIRY, Cluster.expiry(Cluster.MAX_RELATIVE_EXPIRY));
        int sixtyDays = 60 * 24 * 3600;
        long absolute = Cluster.expiry(sixtyDays);
        long now = System.currentTimeMillis() / 1000;
        assertTrue(absolute >= now + sixtyDays - 5 && absolute <= now + sixtyDays + 5, String.valueOf(absolute));
        assertEquals(0, Cluster.expiry(0));
        assertEquals(0, Cluster.expiry(-1));
    }
}
