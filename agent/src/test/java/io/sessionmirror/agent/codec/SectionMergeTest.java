package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.security.PayloadSeal;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two servers wrote one session concurrently, each from the copy it loaded: the store is told to MERGE, and
 * the merge keeps both changes where they touch different attributes.
 */
class SectionMergeTest {

    static final String KEY = "sm:localhost/shop:ABCDEF0123";
    final SessionCodec codec = new SessionCodec(null, -1, new FstSerializer());

    static ClassLoader loader() {
        return SectionMergeTest.class.getClassLoader();
    }

    static SessionData session(Map<String, Object> attrs) {
        return new SessionData("ID", 1L, 1800, null, null, attrs);
    }

    static Map<String, Object> base() {
        Map<String, Object> a = new HashMap<>();
        a.put("a", 1);
        a.put("b", 1);
        return a;
    }

    /** A write of {@code attrs} derived from {@code parent}. */
    Encoded write(SessionCodec c, Encoded parent, Map<String, Object> attrs) throws Exception {
        return c.encode(session(attrs), loader(), parent.version + 1, parent.writeId, parent.lineage, KEY, 0);
    }

    Encoded write(Encoded parent, Map<String, Object> attrs) throws Exception {
        return write(codec, parent, attrs);
    }

    Map<String, Object> attributesOf(SessionCodec c, byte[] payload) throws Exception {
        return c.decode(payload, loader(), "ID", KEY).data.attributes();
    }

    /** An unsigned copy with its written-at time set (the header is not signed without a secret). */
    static byte[] writtenAt(byte[] payload, long millis) {
        byte[] copy = payload.clone();
        ByteBuffer.wrap(copy).putLong(20, millis);
        return copy;
    }

    @Test
    void differentAttributesChangedOnTwoServersBothSurvive() throws Exception {
        Encoded v1 = codec.encode(session(base()), loader(), 1, KEY);
        Map<String, Object> onA = base();
        onA.put("a", 2);
        Map<String, Object> onB = base();
        onB.put("b", 2);
        Encoded a = write(v1, onA);
        Encoded b = write(v1, onB);
        assertEquals(StoredCopy.Decision.REPLACE, StoredCopy.decide(v1.payload, a.payload), "a fast-forward");
        assertEquals(StoredCopy.Decision.MERGE, StoredCopy.decide(a.payload, b.payload), "concurrent");

        byte[] merged = codec.merge(a.payload, b.payload, KEY);
        assertNotNull(merged);
        Map<String, Object> both = new HashMap<>();
        both.put("a", 2);
        both.put("b", 2);
        assertEquals(both, attributesOf(codec, merged));
        assertEquals(3, SessionCodec.versionOf(merged), "the higher version plus one");
        assertEquals(a.writeId, SessionCodec.parentWriteIdOf(merged), "derived from what is stored");
        assertEquals(StoredCopy.Decision.REPLACE, StoredCopy.decide(a.payload, merged), "and so stored as it is");
    }

    @Test
    void theSameAttributeGoesToTheHigherStampThenToTheLaterWrite() throws Exception {
        Encoded v1 = codec.encode(session(base()), loader(), 1, KEY);
        Map<String, Object> onA = base();
        onA.put("a", 2);
        Encoded a2 = write(v1, onA);
        onA.put("a", 3);
        Encoded a3 = write(a2, onA); // A changed it again: stamp 3
        Map<String, Object> onB = base();
        onB.put("a", 20);
        Encoded b2 = write(v1, onB); // stamp 2, written after A's writes
        byte[] laterB = writtenAt(b2.payload, SessionCodec.writtenAtOf(a3.payload) + 1000);
        assertNull(codec.merge(a3.payload, laterB, KEY), "the higher stamp wins, though written earlier");

        // Equal stamps: the copy written later.
        byte[] storedA = writtenAt(a2.payload, 1000);
        byte[] incomingB = writtenAt(b2.payload, 2000);
        byte[] merged = codec.merge(storedA, incomingB, KEY);
        assertEquals(20, attributesOf(codec, merged).get("a"));
        assertNull(codec.merge(writtenAt(a2.payload, 3000), incomingB, KEY), "stored written later: kept");
    }

    @Test
    void aRemovalMarkerBeatsAnOlderValueAndWhatWasAddedHereSurvives() throws Exception {
        Encoded v1 = codec.encode(session(base()), loader(), 1, KEY);
        Map<String, Object> onA = base();
        onA.remove("b");
        onA.put("c", "added on A");
        Encoded a = write(v1, onA);
        Map<String, Object> onB = base();
        onB.put("a", 5);
        onB.put("d", "added on B");
        Encoded b = write(v1, onB);

        Map<String, Object> merged = attributesOf(codec, codec.merge(a.payload, b.payload, KEY));
        Map<String, Object> expected = new HashMap<>();
        expected.put("a", 5);
        expected.put("c", "added on A");
        expected.put("d", "added on B");
        assertEquals(expected, merged, "b removed on A stays removed; c and d added on either side survive");
        // And the other way round: the marker is newer than B's untouched b whichever copy is stored.
        assertEquals(expected, attributesOf(codec, codec.merge(b.payload, a.payload, KEY)));
    }

    @Test
    void aCopyWithNothingNewerIsNotWrittenAndASupersetIsStoredAsItIs() throws Exception {
        Encoded v1 = codec.encode(session(base()), loader(), 1, KEY);
        Map<String, Object> onA = base();
        onA.put("a", 2);
        Encoded a = write(v1, onA);
        assertNull(codec.merge(a.payload, v1.payload, KEY), "an old copy: nothing of it is newer");
        assertSame(a.payload, codec.merge(v1.payload, a.payload, KEY), "everything of it is newer: itself");
        byte[] older = LegacyPayloads.format2(new FstSerializer(), session(base()), 9);
        assertNull(codec.merge(older, a.payload, KEY), "format 2 cannot be merged");
        assertEquals(StoredCopy.Decision.REFUSE, StoredCopy.decide(older, a.payload), "the old order: version 9 wins");
        assertEquals(StoredCopy.Decision.ALREADY, StoredCopy.decide(a.payload, a.payload.clone()));
        assertEquals(StoredCopy.Decision.REFUSE, StoredCopy.decide(StoredCopy.tombstone(60), a.payload));
        assertEquals(StoredCopy.Decision.REPLACE, StoredCopy.decide(a.payload, StoredCopy.tombstone(60)));
    }

    @Test
    void sealedCopiesMergeAndTheResultVerifiesButATamperedStoredCopyIsRefused() throws Exception {
        SessionCodec sealed = new SessionCodec(new PayloadSeal(List.of("a secret"), true), 0, new JavaSerializer());
        Encoded v1 = sealed.encode(session(base()), loader(), 1, KEY);
        Map<String, Object> onA = base();
        onA.put("a", 2);
        Map<String, Object> onB = base();
        onB.put("b", 2);
        Encoded a = write(sealed, v1, onA);
        Encoded b = write(sealed, v1, onB);
        byte[] merged = sealed.merge(a.payload, b.payload, KEY);
        Map<String, Object> both = new HashMap<>();
        both.put("a", 2);
        both.put("b", 2);
        assertEquals(both, attributesOf(sealed, merged), "signed and decrypted like any write");
        assertEquals(PayloadHeader.SIGNED | PayloadHeader.ENCRYPTED | PayloadHeader.COMPRESSED,
                LegacyPayloads.flags(merged));
        assertFalse(new String(merged, java.nio.charset.StandardCharsets.ISO_8859_1).contains("java.lang.Integer"),
                "encrypted");

        byte[] tampered = a.payload.clone();
        tampered[tampered.length - 40] ^= 1;
        assertThrows(RejectedPayloadException.class, () -> sealed.merge(tampered, b.payload, KEY));
        assertThrows(RejectedPayloadException.class, () -> sealed.merge(a.payload, b.payload, "sm:other:KEY"),
                "bound to its key");
        assertThrows(CorruptPayloadException.class, () -> codec.merge(a.payload, b.payload, KEY),
                "encrypted, and no secret here");
    }
}
