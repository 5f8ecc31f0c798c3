package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.codec.StoredCopy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The codec reads what a stored value says; the policy here turns it into a lifetime: what the store gives a
 * value it copies onto another node (read repair), where the dispatcher's own expiry is not at hand.
 */
class ExpiryOfStoredValueTest {

    private static byte[] copy(int maxInactive) throws Exception {
        return new SessionCodec(null, -1, new JavaSerializer()).encode(new SessionData("ID", 1L, maxInactive, null,
                null, Map.of("a", 1)), ExpiryOfStoredValueTest.class.getClassLoader(), 1, "k").payload;
    }

    @Test
    void aCopyLivesAsLongAsItsSessionCouldAndATombstoneItsOwnTime() throws Exception {
        assertEquals(ExpiryPolicy.expirySeconds(1800), ExpiryPolicy.expiryOf(copy(1800)));
        assertEquals(ExpiryPolicy.expirySeconds(5), ExpiryPolicy.expiryOf(copy(5)));
        assertEquals(0, ExpiryPolicy.expiryOf(copy(-1)), "a session that never expires: no expiry in Memcached");
        assertEquals(1234, ExpiryPolicy.expiryOf(StoredCopy.tombstone(1234)));
        assertEquals(0, ExpiryPolicy.expiryOf(new byte[] {1, 2, 3}), "not ours: no expiry, as before");
    }
}
