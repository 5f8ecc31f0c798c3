package io.sessionmirror.agent.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A value planted in Memcached (no secret configured) that claims to be a compressed session: it must be
 * refused at the inflation cap, allocating about the cap and not a multiple of it, and whatever runs out of
 * memory while decoding comes back as a {@link CorruptPayloadException} the caller counts.
 */
class CompressionBombTest {

    private static final long BOMB_SIZE = 1L << 30; // 1 GB of zeros
    private static byte[] bomb;

    @BeforeAll
    static void buildBomb() throws Exception {
        byte[] body = deflateZeros((int) (BOMB_SIZE >> 20));
        assertEquals(BOMB_SIZE, inflatedSize(body));
        bomb = sealedFormat(body);
    }

    /**
     * A zlib stream of {@code megabytes} MB of zeros, built as an attacker would, without compressing a
     * gigabyte: 1 MB of zeros deflated after a full flush (which resets the dictionary and aligns to a byte)
     * compresses to the same bytes every time, so that segment is repeated, then the stream is closed with
     * the Adler-32 of that many zeros (a = 1, b = length mod 65521).
     */
    static byte[] deflateZeros(int megabytes) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            byte[] zeros = new byte[1 << 20];
            d.setInput(zeros);
            byte[] first = drain(d, Deflater.FULL_FLUSH);
            d.setInput(zeros);
            byte[] segment = drain(d, Deflater.FULL_FLUSH);
            d.finish();
            byte[] end = drain(d, Deflater.NO_FLUSH);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(first);
            for (int i = 1; i < megabytes; i++) {
                out.writeBytes(segment);
            }
            long adler = ((long) megabytes << 20) % 65521 << 16 | 1;
            ByteBuffer.wrap(end, end.length - 4, 4).putInt((int) adler);
            out.writeBytes(end);
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static byte[] drain(Deflater d, int flush) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        do { // a flush is complete when the output did not fill the buffer; a finish, when finished
            n = d.deflate(buf, 0, buf.length, flush);
            out.write(buf, 0, n);
        } while (flush == Deflater.NO_FLUSH ? !d.finished() : n == buf.length);
        return out.toByteArray();
    }

    /** Inflates the whole stream, keeping nothing: the bomb is a valid stream of what it claims. */
    private static long inflatedSize(byte[] zlib) throws Exception {
        java.util.zip.Inflater in = new java.util.zip.Inflater();
        try {
            in.setInput(zlib);
            byte[] buf = new byte[1 << 20];
            long total = 0;
            while (!in.finished()) {
                int n = in.inflate(buf);
                if (n == 0 && in.needsInput()) {
                    throw new AssertionError("truncated after " + total);
                }
                total += n;
            }
            return total;
        } finally {
            in.end();
        }
    }

    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater();
        try {
            d.setInput(data);
            d.finish();
            byte[] buf = new byte[64 * 1024];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /** A format 3 payload, compressed and neither signed nor encrypted: what anyone with access can plant. */
    static byte[] sealedFormat(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + 1 + 8 + 8 + 8 + 8 + 4 + 2 + 1 + 4 + 4 + body.length);
        b.put(PayloadHeader.MAGIC_0).put(PayloadHeader.MAGIC_1).put(PayloadHeader.SEALED_FORMAT).put(FstSerializer.ID);
        b.putLong(7).putLong(1).putLong(System.currentTimeMillis()).putLong(1234L).putInt(1800);
        b.putShort((short) 0xFFFF);
        b.put((byte) PayloadHeader.COMPRESSED).putInt(0);
        b.putInt(body.length).put(body);
        return b.array();
    }

    /** As assertThrows, but an Error (OutOfMemoryError would abort the whole JUnit run) fails this test only. */
    private static CorruptPayloadException assertCorrupt(org.junit.jupiter.api.function.Executable decode) {
        Throwable thrown;
        try {
            decode.execute();
            thrown = new AssertionError("decoded");
        } catch (Throwable t) {
            thrown = t;
        }
        return org.junit.jupiter.api.Assertions.assertInstanceOf(CorruptPayloadException.class, thrown,
                String.valueOf(thrown));
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void aBombIsRefusedAtTheCapAllocatingAboutTheCapOnly() {
        SessionCodec codec = new SessionCodec(null, -1, new FstSerializer(), new JavaSerializer());
        long before = allocatedByThisThread();
        CorruptPayloadException e = assertCorrupt(() -> codec.decode(bomb, getClass().getClassLoader(),
                "ID", "key"));
        long allocated = allocatedByThisThread() - before;
        System.out.printf("bomb of %d bytes (inflating to %d) refused after allocating %d bytes, cap %d (%.2fx)%n",
                bomb.length, BOMB_SIZE, allocated, Compression.MAX_INFLATED,
                allocated / (double) Compression.MAX_INFLATED);
        assertTrue(e.getMessage().contains(String.valueOf(Compression.MAX_INFLATED)), e.getMessage());
        // One refused decode holds at most the cap (plus small buffers), never a doubled copy of it.
        assertTrue(allocated < Compression.MAX_INFLATED * 3L / 2, "allocated " + allocated + " bytes");
    }

    @Test
    void inflatesExactlyUpToTheCapAndRefusesOneByteMore() throws Exception {
        int cap = 300_000;
        byte[] graph = new byte[cap];
        for (int i = 0; i < graph.length; i++) {
            graph[i] = (byte) (i * 31 + (i >> 7));
        }
        assertArrayEquals(graph, BoundedInflater.inflate(deflate(graph), cap));
        byte[] over = java.util.Arrays.copyOf(graph, cap + 1);
        CorruptPayloadException e = assertThrows(CorruptPayloadException.class,
                () -> BoundedInflater.inflate(deflate(over), cap));
        assertTrue(e.getMessage().contains("300000"), e.getMessage());
        assertArrayEquals(new byte[0], BoundedInflater.inflate(deflate(new byte[0]), cap));
    }

    @Test
    void truncatedOrPaddedCompressedGraphsAreCorrupt() {
        byte[] deflated = deflate(new byte[100_000]);
        assertThrows(CorruptPayloadException.class,
                () -> BoundedInflater.inflate(java.util.Arrays.copyOf(deflated, deflated.length - 3), 1 << 20));
        assertThrows(CorruptPayloadException.class,
                () -> BoundedInflater.inflate(java.util.Arrays.copyOf(deflated, deflated.length + 3), 1 << 20));
        assertThrows(CorruptPayloadException.class,
                () -> BoundedInflater.inflate(new byte[] {1, 2, 3, 4, 5}, 1 << 20));
    }

    @Test
    void aLargeCompressedSessionStillRoundTrips() throws Exception {
        SessionCodec codec = new SessionCodec(null, 0, new FstSerializer());
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("blob", new byte[Compression.MAX_INFLATED / 2]);
        attrs.put("name", "kept");
        Encoded enc = codec.encode(new SessionData("ID", 1L, 60, null, null, attrs),
                getClass().getClassLoader(), 1, "");
        assertEquals(PayloadHeader.SECTIONS_FORMAT, enc.payload[2]);
        assertEquals(PayloadHeader.COMPRESSED, LegacyPayloads.flags(enc.payload), "written compressed");
        Map<String, Object> back = codec.decode(enc.payload, getClass().getClassLoader(), "ID", "").data.attributes();
        assertEquals("kept", back.get("name"));
        assertEquals(Compression.MAX_INFLATED / 2, ((byte[]) back.get("blob")).length);
    }

    @Test
    void aGraphTooLargeToReadBackIsNotCompressed() throws Exception {
        SessionCodec codec = new SessionCodec(null, 0, new FstSerializer());
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("blob", new byte[Compression.MAX_INFLATED + 1]);
        Encoded enc = codec.encode(new SessionData("ID", 1L, 60, null, null, attrs),
                getClass().getClassLoader(), 1, "");
        // Compressed, it would be refused by every reader; plain, it is measured against max.size as usual.
        assertEquals(0, LegacyPayloads.flags(enc.payload));
        assertEquals(Compression.MAX_INFLATED + 1,
                ((byte[]) codec.decode(enc.payload, getClass().getClassLoader(), "ID", "").data.attributes().get("blob"))
                        .length);
    }

    /** Serializes as FST does, but running out of memory whenever it reads. */
    static final class ReadsOutOfMemory implements Serializer {
        private final FstSerializer fst = new FstSerializer();

        @Override
        public byte id() {
            return FstSerializer.ID;
        }

        @Override
        public String name() {
            return "oom";
        }

        @Override
        public byte[] serialize(Object root, ClassLoader loader) throws java.io.IOException {
            return fst.serialize(root, loader);
        }

        @Override
        public Object deserialize(byte[] bytes, ClassLoader loader) {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void runningOutOfMemoryWhileDecodingIsACorruptPayload() throws Exception {
        SessionCodec codec = new SessionCodec(null, -1, new ReadsOutOfMemory());
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("a", "b");
        byte[] payload = codec.encode(new SessionData("ID", 1L, 60, null, null, attrs), getClass().getClassLoader(), 1, "")
                .payload;
        CorruptPayloadException e = assertCorrupt(() -> codec.decode(payload, getClass().getClassLoader(),
                "ID", "key"));
        assertTrue(e.getMessage().contains("memory"), e.getMessage());
    }

    @Test
    void aClassThatFailsToLinkWhileDecodingIsACorruptPayloadInAGraphAndADroppedAttributeInSections()
            throws Exception {
        Serializer linkageFailure = new ReadsOutOfMemory();
        SessionCodec codec = new SessionCodec(null, -1, new Serializer() {
            @Override
            public byte id() {
                return 9;
            }

            @Override
            public String name() {
                return "broken";
            }

            @Override
            public byte[] serialize(Object root, ClassLoader loader) throws java.io.IOException {
                return linkageFailure.serialize(root, loader);
            }

            @Override
            public Object deserialize(byte[] bytes, ClassLoader loader) {
                throw new NoClassDefFoundError("com/shop/Gone");
            }
        });
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("a", "b");
        SessionData data = new SessionData("ID", 1L, 60, null, null, attrs);
        // Format 2, one graph: all or nothing.
        byte[] graph = LegacyPayloads.format2(linkageFailure, data, 1);
        graph[3] = 9;
        CorruptPayloadException e = assertCorrupt(() -> codec.decode(graph, getClass().getClassLoader(),
                "ID", "key"));
        assertTrue(e.getMessage().contains("com/shop/Gone"), e.getMessage());
        // Format 5: that attribute alone is left out, and said why.
        byte[] sections = codec.encode(data, getClass().getClassLoader(), 1, "").payload;
        Decoded d = codec.decode(sections, getClass().getClassLoader(), "ID", "key");
        assertTrue(d.data.attributes().isEmpty());
        assertEquals(1, d.dropped.size());
        assertEquals("a", d.dropped.get(0).name);
        assertTrue(d.dropped.get(0).reason.contains("NoClassDefFoundError: com/shop/Gone"), d.dropped.get(0).reason);
    }
}
