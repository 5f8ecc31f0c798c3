package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.StoredCopy;

/**
 * How long a stored copy lives, and how often a session that is only read extends it: the two are tied, a
 * copy must outlive the longest gap between touches.
 */
public final class ExpiryPolicy {

    private ExpiryPolicy() {
    }

    /** Touch at most every tenth of the timeout, between 1 s and 60 s apart. */
    static long touchIntervalMillis(int maxInactiveSeconds) {
        return Math.max(1000, Math.min(60_000, maxInactiveSeconds * 100L));
    }

    /**
     * The stored copy lives as long as the session could, plus the touch interval: a session used only
     * for reads is touched at most that often, and must not vanish from Memcached before it times out.
     */
    public static int expirySeconds(int maxInactiveSeconds) {
        if (maxInactiveSeconds <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, maxInactiveSeconds + touchIntervalMillis(maxInactiveSeconds) / 1000 + 1);
    }

    /** How long a stored value should live: a tombstone its own time, a session copy as long as its session could (0: no expiry). */
    public static int expiryOf(byte[] stored) {
        if (StoredCopy.isTombstone(stored)) {
            return StoredCopy.tombstoneExpiryOf(stored);
        }
        return expirySeconds(SessionCodec.maxInactiveOf(stored));
    }
}
