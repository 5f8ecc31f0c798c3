package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.security.PayloadSeal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A format-5 copy names the server that wrote or merged it, readable without the secret, covered by the signature. */
class WriterNameTest {

    private static final String KEY = SectionsFormatTest.KEY;

    private static SessionData session(String attribute, Object value) {
        Map<String, Object> attrs = new HashMap<>();
        attrs.put(attribute, value);
        return new SessionData("ID", 1L, 1800, null, null, attrs);
    }

    @Test
    void aCopyNamesItsWriterAndAMergeNamesTheServerThatMerged() throws Exception {
        PayloadSeal seal = new PayloadSeal(List.of("writer-test-secret-0123456789abcdef"), true);
        SessionCodec a = new SessionCodec(seal, -1, "111@app-a", new JavaSerializer());
        SessionCodec b = new SessionCodec(seal, -1, "222@app-b", new JavaSerializer());
        byte[] base = a.encode(session("x", "1"), SectionsFormatTest.loader(), 1, KEY).payload;
        long parent = SessionCodec.writeIdOf(base);
        byte[] onA = a.encode(session("x", "2"), SectionsFormatTest.loader(), 2, parent, Lineage.EMPTY, KEY, 0).payload;
        byte[] onB = b.encode(session("y", "3"), SectionsFormatTest.loader(), 2, parent, Lineage.EMPTY, KEY, 0).payload;

        assertEquals("111@app-a", SessionCodec.writerOf(onA), "readable from the header, without the secret");
        assertEquals("111@app-a", a.describe(onA, KEY).writer);
        byte[] merged = b.merge(onA, onB, KEY);
        assertEquals("222@app-b", SessionCodec.writerOf(merged), "the server that merged wrote the merged copy");

        // the writer is covered by the signature: another name, same length, does not verify
        byte[] forged = onA.clone();
        int at = indexOf(forged, "111@app-a".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        forged[at] = '9';
        assertEquals("911@app-a", SessionCodec.writerOf(forged));
        assertThrows(CorruptPayloadException.class, () -> a.decode(forged, SectionsFormatTest.loader(), "ID", KEY));
    }

    @Test
    void aLongNameIsCutAtACharacterBoundaryAndOlderFormatsSayNone() throws Exception {
        String longName = "é".repeat(200); // 400 bytes of UTF-8
        SessionCodec c = new SessionCodec(null, -1, longName, new JavaSerializer());
        byte[] p = c.encode(session("x", "1"), SectionsFormatTest.loader(), 1, KEY).payload;
        String stored = SessionCodec.writerOf(p);
        assertEquals("é".repeat(127), stored, "255 bytes at most, whole characters");
        assertTrue(c.decode(p, SectionsFormatTest.loader(), "ID", KEY).data.attributes().containsKey("x"));
        assertEquals("", SessionCodec.writerOf(new byte[] {'S', 'M', 2}), "not a readable format-5 header");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
