package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header is checked against the bytes present before any field of it is read. */
class PayloadHeaderTest {

    private static byte[] payload() throws Exception {
        return new SessionCodec(null, -1, new JavaSerializer()).encode(new SessionData("ID", 1L, 1800, "CLIENT_CERT", null,
                Map.of("a", 1)), PayloadHeaderTest.class.getClassLoader(), 3, "k").payload;
    }

    private static String error(byte[] payload) {
        return assertThrows(CorruptPayloadException.class, () -> new SessionCodec(null, -1, new JavaSerializer())
                .decode(payload, PayloadHeaderTest.class.getClassLoader(), "ID", "k")).getMessage();
    }

    @Test
    void aStubWithOurMagicIsRefusedForItsLengthNotForWhatItLacks() {
        for (byte format : new byte[] {PayloadHeader.LEGACY_FORMAT, PayloadHeader.FORMAT, PayloadHeader.SEALED_FORMAT}) {
            assertEquals("not a Session Mirror entry (3 bytes, bad header)",
                    error(new byte[] {PayloadHeader.MAGIC_0, PayloadHeader.MAGIC_1, format}));
        }
    }

    @Test
    void everyTruncationOfTheHeaderSaysWhereItEnds() throws Exception {
        byte[] p = payload();
        for (int length = 0; length < 46; length++) { // the fixed 42 bytes and a length after them, at least
            assertEquals("not a Session Mirror entry (" + length + " bytes, bad header)",
                    error(java.util.Arrays.copyOf(p, length)), "length " + length);
        }
        assertEquals("truncated entry (auth type)", error(java.util.Arrays.copyOf(p, 46)));
    }

    @Test
    void peeksReadTheHeaderWithoutDecoding() throws Exception {
        byte[] p = payload();
        assertEquals(3, SessionCodec.versionOf(p));
        assertEquals(1800, SessionCodec.maxInactiveOf(p));
        assertEquals(0, SessionCodec.maxInactiveOf(StoredCopy.tombstone(60)), "a tombstone is no copy");
        assertEquals(0, SessionCodec.maxInactiveOf(new byte[] {1, 2, 3}));
    }
}
