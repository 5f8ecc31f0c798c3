package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The stored copy must outlive the local session even though read-only use only touches it now and then. */
class ExpiryTest {

    @Test
    void touchesAreThrottledToATenthOfTheTimeoutWithinOneSecondAndOneMinute() {
        assertEquals(1000, ExpiryPolicy.touchIntervalMillis(5));
        assertEquals(6000, ExpiryPolicy.touchIntervalMillis(60));
        assertEquals(60_000, ExpiryPolicy.touchIntervalMillis(1800));
    }

    @Test
    void storedExpiryCoversTheTimeoutPlusOneTouchInterval() {
        for (int maxInactive : new int[] {1, 5, 60, 1800, 86_400}) {
            long worstLastAccess = ExpiryPolicy.touchIntervalMillis(maxInactive) / 1000; // just before a touch is due
            assertTrue(ExpiryPolicy.expirySeconds(maxInactive) >= maxInactive + worstLastAccess, "maxInactive " + maxInactive);
        }
        assertEquals(0, ExpiryPolicy.expirySeconds(0), "never expires locally: no expiry in Memcached");
        assertEquals(0, ExpiryPolicy.expirySeconds(-1));
    }
}
