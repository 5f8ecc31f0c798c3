package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.security.PayloadSeal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Signed, encrypted and compressed stored values: what is accepted, what is refused, and that refused bytes are never deserialized. */
class SealedCodecTest {

    static final String SECRET = "correct horse battery staple";
    static final String OLD_SECRET = "an older secret, still accepted";
    static final String KEY = "sm:localhost/shop:ABCDEF0123";

    /** Counts what reaches deserialization. */
    static final class Counting implements Serializer {
        final Serializer inner;
        final AtomicInteger reads = new AtomicInteger();

        Counting(Serializer inner) {
            this.inner = inner;
        }

        @Override
        public byte id() {
            return inner.id();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public byte[] serialize(Object root, ClassLoader loader) throws IOException {
            return inner.serialize(root, loader);
        }

        @Override
        public Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
            reads.incrementAndGet();
            return inner.deserialize(bytes, loader);
        }
    }

    static Stream<Serializer> serializers() {
        return Stream.of(new FstSerializer(), new JavaSerializer());
    }

    static SessionCodec codec(Serializer s, boolean encrypt, String... secrets) {
        return new SessionCodec(secrets.length == 0 ? null : new PayloadSeal(Arrays.asList(secrets), encrypt), -1, s);
    }

    static SessionData session() {
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("card", "4111-1111-1111-1111");
        attrs.put("visits", 7);
        return new SessionData("ABCDEF0123", 1L, 1800, "FORM", null, attrs);
    }

    static ClassLoader loader() {
        return SealedCodecTest.class.getClassLoader();
    }

    static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void signedValueRoundTripsAndIsBoundToItsKey(Serializer s) throws Exception {
        Counting c = new Counting(s);
        SessionCodec codec = codec(c, false, SECRET);
        byte[] payload = codec.encode(session(), loader(), 3, KEY).payload;
        assertEquals(PayloadHeader.SECTIONS_FORMAT, payload[2]);
        assertEquals(PayloadHeader.SIGNED, LegacyPayloads.flags(payload));
        assertEquals(3, SessionCodec.versionOf(payload), "the store still reads the version without the key");
        assertEquals(7, codec.decode(payload, loader(), "ABCDEF0123", KEY).data.attributes().get("visits"));
        int reads = c.reads.get();
        assertTrue(reads > 0, "one read per section");

        RejectedPayloadException moved = assertThrows(RejectedPayloadException.class,
                () -> codec.decode(payload, loader(), "OTHER", "sm:localhost/shop:OTHER"));
        assertTrue(moved.getMessage().contains("moved from another session's key"), moved.getMessage());
        assertEquals(reads, c.reads.get(), "nothing deserialized from a moved value");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void everySingleByteChangeAndEveryTruncationIsRejectedBeforeDeserialization(Serializer s) throws Exception {
        Counting c = new Counting(s);
        SessionCodec codec = codec(c, false, SECRET);
        byte[] payload = codec.encode(session(), loader(), 1, KEY).payload;
        for (int i = 0; i < payload.length; i++) {
            byte[] tampered = payload.clone();
            tampered[i] ^= 0x01;
            assertThrows(CorruptPayloadException.class, () -> codec.decode(tampered, loader(), "X", KEY),
                    "byte " + i);
        }
        for (int len = 0; len < payload.length; len++) {
            byte[] truncated = Arrays.copyOf(payload, len);
            assertThrows(CorruptPayloadException.class, () -> codec.decode(truncated, loader(), "X", KEY),
                    "length " + len);
        }
        byte[] padded = Arrays.copyOf(payload, payload.length + 1);
        assertThrows(RejectedPayloadException.class, () -> codec.decode(padded, loader(), "X", KEY));
        assertEquals(0, c.reads.get(), "no changed, truncated or padded value reached deserialization");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void aValueWrittenWithoutTheSecretIsRejected(Serializer s) throws Exception {
        Counting c = new Counting(s);
        byte[] unsigned = codec(s, false).encode(session(), loader(), 1, KEY).payload;
        byte[] compressedUnsigned = new SessionCodec(null, 0, s).encode(session(), loader(), 1, KEY).payload;
        for (byte[] p : List.of(unsigned, compressedUnsigned)) {
            RejectedPayloadException e = assertThrows(RejectedPayloadException.class,
                    () -> codec(c, false, SECRET).decode(p, loader(), "X", KEY));
            assertTrue(e.getMessage().contains("not signed"), e.getMessage());
        }
        assertEquals(0, c.reads.get());
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void rotationAcceptsTheOldSecretAndSignsWithTheNew(Serializer s) throws Exception {
        byte[] old = codec(s, false, OLD_SECRET).encode(session(), loader(), 1, KEY).payload;
        SessionCodec rotating = codec(s, false, SECRET, OLD_SECRET);
        assertEquals(7, rotating.decode(old, loader(), "X", KEY).data.attributes().get("visits"));

        byte[] fresh = rotating.encode(session(), loader(), 2, KEY).payload;
        assertEquals(7, codec(s, false, SECRET).decode(fresh, loader(), "X", KEY).data.attributes().get("visits"),
                "written with the new secret");
        Counting c = new Counting(s);
        RejectedPayloadException e = assertThrows(RejectedPayloadException.class,
                () -> codec(c, false, SECRET).decode(old, loader(), "X", KEY));
        assertTrue(e.getMessage().contains("secret this server does not have"), e.getMessage());
        assertEquals(0, c.reads.get(), "after rotation ends, old values are refused unread");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void encryptedValuesHideTheContentAndNeedTheRightSecret(Serializer s) throws Exception {
        SessionCodec codec = codec(s, true, SECRET);
        byte[] payload = codec.encode(session(), loader(), 1, KEY).payload;
        assertFalse(contains(payload, "4111-1111"), "the card number is not readable in Memcached");
        assertTrue(contains(codec(s, false, SECRET).encode(session(), loader(), 1, KEY).payload, "4111-1111"),
                "control: signed only, it is");
        assertEquals("4111-1111-1111-1111", codec.decode(payload, loader(), "X", KEY).data.attributes().get("card"));
        assertEquals("4111-1111-1111-1111",
                codec(s, false, SECRET).decode(payload, loader(), "X", KEY).data.attributes().get("card"),
                "a server with the secret but encrypt=false reads it too (rolling change of encrypt)");

        Counting c = new Counting(s);
        assertThrows(RejectedPayloadException.class,
                () -> codec(c, true, "a different secret of enough length").decode(payload, loader(), "X", KEY));
        CorruptPayloadException noSecret = assertThrows(CorruptPayloadException.class,
                () -> codec(c, false).decode(payload, loader(), "X", KEY));
        assertTrue(noSecret.getMessage().contains("no secret to decrypt"), noSecret.getMessage());
        assertEquals(0, c.reads.get());
        byte[] again = codec.encode(session(), loader(), 1, KEY).payload;
        assertFalse(Arrays.equals(Arrays.copyOfRange(payload, 50, payload.length - 32),
                Arrays.copyOfRange(again, 50, again.length - 32)), "a fresh nonce for every write");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    void compressionAboveTheThresholdShrinksAndRoundTrips(Serializer s) throws Exception {
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("report", String.join("", Collections.nCopies(5000, "the same line again\n")));
        SessionData data = new SessionData("ID", 1L, 60, null, null, attrs);
        Encoded plain = new SessionCodec(null, -1, s).encode(data, loader(), 1, KEY);
        Encoded small = new SessionCodec(null, 4096, s).encode(data, loader(), 1, KEY);
        assertTrue(small.payload.length * 10 < plain.payload.length, small.payload.length + " vs " + plain.payload.length);
        assertEquals(plain.hash, small.hash, "change detection does not depend on compression");
        assertEquals(attrs.get("report"), new SessionCodec(null, -1, s).decode(small.payload, loader(), "ID", KEY)
                .data.attributes().get("report"), "any server reads compressed values");
        Encoded below = new SessionCodec(null, 1_000_000, s).encode(data, loader(), 1, KEY);
        assertEquals(0, LegacyPayloads.flags(below.payload), "below the threshold: not compressed");

        SessionCodec sealed = new SessionCodec(new PayloadSeal(List.of(SECRET), true), 4096, s);
        byte[] both = sealed.encode(data, loader(), 1, KEY).payload;
        assertTrue(both.length < plain.payload.length / 10);
        assertEquals(attrs.get("report"), sealed.decode(both, loader(), "ID", KEY).data.attributes().get("report"));
    }

    @Test
    void aCompressionBombIsRefused() throws Exception {
        byte[] zeros = new byte[Compression.MAX_INFLATED + 1024];
        java.util.zip.Deflater d = new java.util.zip.Deflater(9);
        d.setInput(zeros);
        d.finish();
        byte[] buf = new byte[zeros.length / 100];
        int n = d.deflate(buf);
        d.end();
        byte[] bomb = Arrays.copyOf(buf, n);
        byte[] payload = new SessionCodec(null, 0, new JavaSerializer()).encode(session(), loader(), 1, KEY).payload;
        // Replace the body of a real compressed payload by the bomb (unsigned: no secret to stop it first).
        int bodyAt = payload.length - bodyLength(payload);
        byte[] planted = Arrays.copyOf(payload, bodyAt + bomb.length);
        System.arraycopy(bomb, 0, planted, bodyAt, bomb.length);
        java.nio.ByteBuffer.wrap(planted).putInt(bodyAt - 4, bomb.length);
        CorruptPayloadException e = assertThrows(CorruptPayloadException.class,
                () -> new SessionCodec(null, -1, new JavaSerializer()).decode(planted, loader(), "X", KEY));
        assertTrue(e.getMessage().contains("inflates beyond"), e.getMessage());
    }

    private static int bodyLength(byte[] payload) {
        // unsigned format 3 ends with bodyLength(4) body
        for (int len = payload.length - 4; len > 0; len--) {
            int at = payload.length - len - 4;
            if (java.nio.ByteBuffer.wrap(payload).getInt(at) == len) {
                return len;
            }
        }
        throw new AssertionError("no body");
    }
}
