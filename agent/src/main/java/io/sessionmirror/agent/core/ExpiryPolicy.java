package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.StoredCopy;

/**
 * How long a value should live in the store. The codec only reads what a value says (a tombstone's own
 * lifetime, a copy's session timeout); how long a copy outlives its timeout is this package's policy
 * ({@link SessionMirror#expirySeconds}), because it follows from how often the dispatcher touches it.
 */
public final class ExpiryPolicy {

    private ExpiryPolicy() {
    }

    /** A tombstone lives its own time, a session copy as long as its session could (0: no expiry). */
    public static int expiryOf(byte[] stored) {
        if (StoredCopy.isTombstone(stored)) {
            return StoredCopy.tombstoneExpiryOf(stored);
        }
        return SessionMirror.expirySeconds(SessionCodec.maxInactiveOf(stored));
    }
}
