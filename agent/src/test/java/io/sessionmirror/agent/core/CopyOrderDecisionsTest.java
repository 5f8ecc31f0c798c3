package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.store.CopyOrder.Decision;
import io.sessionmirror.agent.store.WriteResult;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Newest wins: the order of stored copies the store enforces ({@link StoredCopyOrder}): higher version, then later
 * write; a tombstone over every copy; the same write again is already stored. The in-memory store has one node, so
 * replicas that disagree are this order applied per node (MemcachedStore reads the newest by {@code compare}).
 */
class CopyOrderDecisionsTest {

    private static final SessionCodec CODEC = new SessionCodec(null, -1, new JavaSerializer());
    private static final StoredCopyOrder ORDER = StoredCopyOrder.INSTANCE;

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

    private static byte[] copy(long version, long writtenAt) throws Exception {
        byte[] p = CODEC.encode(new SessionData("ORDER", 1L, 1800, null, null, Map.of("v", version)),
                CopyOrderDecisionsTest.class.getClassLoader(), version, "").payload;
        ByteBuffer.wrap(p).putLong(20, writtenAt); // the header's write time
        return p;
    }

    @Test
    void aHigherVersionWinsWhateverItsWriteTime() throws Exception {
        byte[] v2 = copy(2, 1000);
        byte[] v1Later = copy(1, 5000);
        assertTrue(ORDER.compare(v2, v1Later) > 0);
        assertEquals(Decision.REFUSE, ORDER.decide(v2, v1Later));
        assertEquals(Decision.REPLACE, ORDER.decide(v1Later, v2));
    }

    @Test
    void equalVersionsTheLaterWriteWins() throws Exception {
        byte[] early = copy(3, 1000);
        byte[] late = copy(3, 2000);
        assertTrue(ORDER.compare(late, early) > 0);
        assertEquals(Decision.REPLACE, ORDER.decide(early, late));
        assertEquals(Decision.REFUSE, ORDER.decide(late, early));
    }

    @Test
    void aTombstoneIsNewerThanEveryCopy() throws Exception {
        byte[] stone = ORDER.tombstone(60);
        byte[] copy = copy(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1);
        assertTrue(ORDER.compare(stone, copy) > 0);
        assertEquals(Decision.REFUSE, ORDER.decide(stone, copy));
        assertEquals(Decision.REPLACE, ORDER.decide(copy, stone));
        assertEquals(Decision.ALREADY, ORDER.decide(stone, ORDER.tombstone(60)));
    }

    @Test
    void theSameWriteAgainIsAlreadyStored() throws Exception {
        byte[] v4 = copy(4, 1000);
        assertEquals(Decision.ALREADY, ORDER.decide(v4, v4.clone()));
        assertEquals(Decision.REPLACE, ORDER.decide(null, v4), "nothing stored: any copy");
    }

    @Test
    void twoServersWritingTheSameSessionTheNewestVersionIsWhatEveryServerRestores() throws Exception {
        f = MirrorFixture.async();
        other = f.otherServer(new MirrorFixture.Options());
        f.seed("NEWEST0001", 3, Map.of("who", "first"));
        byte[] older = other.seedRaw("NEWEST0001", 2, Map.of("who", "second, but older"));
        assertEquals(WriteResult.REFUSED, f.store.set(f.key("NEWEST0001"), older, 60));
        MirrorFixture third = f.otherServer(new MirrorFixture.Options());
        try {
            assertEquals("first", third.request().lookup("NEWEST0001").attributes.get("who"));
        } finally {
            third.close();
        }
        assertTrue(!StoredCopy.isTombstone(f.stored("NEWEST0001")));
    }
}
