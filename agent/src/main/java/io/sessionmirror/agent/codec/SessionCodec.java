package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.ClassFilter;
import io.sessionmirror.agent.security.PayloadSeal;
import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The stored form of a session: a {@link PayloadHeader header} followed by one serialized
 * {@link AttributeGraph attribute graph}, {@link Compression deflated} when large and {@link Sealing signed
 * and maybe encrypted} when a secret is configured. Format 3 is written when the payload is signed,
 * encrypted or compressed (format 2 otherwise, which agents before format 3 read). The header fields stay
 * readable without the key (the store orders copies by version), and are covered by the signature. With a
 * secret configured, nothing is deserialized unless the signature verifies.
 * The version counts the session's writes across the whole cluster (a server writes the version it loaded
 * or last wrote, plus one): where replicas disagree, the copy with the highest version, then the latest
 * write time, is the session.
 */
public final class SessionCodec {

    private final Serializer serializer;
    private final Serializer[] readers;
    private final Sealing sealing;
    private final Compression compression;

    /**
     * @param seal signs (and maybe encrypts) what is written and requires a valid signature on what is read;
     *        null for neither
     * @param compressAbove graphs larger than this many bytes are deflated; -1 for never
     * @param serializer writes, and reads what it wrote
     * @param otherReaders read what the other serializers wrote (a cluster that switches serializer)
     */
    public SessionCodec(PayloadSeal seal, int compressAbove, Serializer serializer, Serializer... otherReaders) {
        this.sealing = new Sealing(seal);
        this.compression = new Compression(compressAbove);
        this.serializer = serializer;
        List<Serializer> all = new ArrayList<>();
        all.add(serializer);
        Collections.addAll(all, otherReaders);
        this.readers = all.toArray(new Serializer[0]);
    }

    /**
     * Encodes {@code data} as version {@code version} of the session stored under {@code storeKey}.
     *
     * @throws ConcurrentModificationException when the application changed an attribute while it was
     *         being serialized; the caller retries
     * @throws IOException when the remaining attributes still cannot be serialized
     */
    public Encoded encode(SessionData data, ClassLoader loader, long version, String storeKey) throws IOException {
        return encode(data, loader, version, storeKey, 0);
    }

    /**
     * As {@link #encode(SessionData, ClassLoader, long, String)}, but when the change hash comes out as
     * {@code unlessHash} (what was last written) it stops there: the result has the hash and a null payload,
     * and no time is spent compressing, encrypting or signing a value that will not be written.
     */
    public Encoded encode(SessionData data, ClassLoader loader, long version, String storeKey, long unlessHash)
            throws IOException {
        AttributeGraph graph = AttributeGraph.write(serializer, data, loader);
        long hash = hash(graph.bytes, data.maxInactiveSeconds(), data.authType());
        if (unlessHash != 0 && hash == unlessHash) {
            return new Encoded(null, hash, 0, version, graph.skipped, graph.bytes.length);
        }
        int flags = 0;
        byte[] body = compression.deflateIfWorth(graph.bytes);
        if (body != null) {
            flags |= PayloadHeader.COMPRESSED;
        } else {
            body = graph.bytes;
        }
        flags |= sealing.flags();
        body = sealing.encrypt(storeKey, body);
        long writeId = ThreadLocalRandom.current().nextLong();
        byte[] payload = PayloadHeader.write(serializer.id(), writeId, version, data, flags, sealing.keyId(), body,
                sealing.tagLength());
        sealing.sign(storeKey, payload);
        return new Encoded(payload, hash, writeId, version, graph.skipped, graph.bytes.length);
    }

    /**
     * The {@code n} largest attributes with their serialized sizes, largest first, e.g.
     * {@code 'cart' (com.shop.Cart) 812345 bytes}: for the warning about a session too large to store.
     */
    public List<String> largestAttributes(SessionData data, ClassLoader loader, int n) {
        return AttributeGraph.largest(serializer, data, loader, n);
    }

    /**
     * Rebuilds the session stored under {@code storeKey}. Throws only {@link CorruptPayloadException} (or its
     * {@link RejectedPayloadException}), whatever the bytes: with a secret, nothing is deserialized before
     * the signature over the key and the bytes has been verified.
     */
    public Decoded decode(byte[] payload, ClassLoader loader, String id, String storeKey) throws CorruptPayloadException {
        try {
            return read(payload, loader, id, storeKey);
        } catch (CorruptPayloadException e) {
            throw e;
        } catch (ClassFilter.RejectedClassException e) {
            throw new RejectedPayloadException(e.getMessage());
        } catch (ClassNotFoundException e) {
            throw new CorruptPayloadException("a stored class is not available here: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CorruptPayloadException("the attribute graph cannot be read: " + e, e);
        } catch (StackOverflowError e) {
            throw new CorruptPayloadException("the attribute graph is nested too deeply to read");
        } catch (OutOfMemoryError e) {
            // Caught on purpose: what failed was an allocation of this decode (the inflated graph, or the objects
            // being rebuilt from it), and all this decode allocated is unreachable as soon as we return, so the
            // heap is whole again. Reported as a corrupt value, the caller counts it, remembers the miss and logs
            // it once, instead of inflating the same value again on every request for the session.
            throw new CorruptPayloadException("the attribute graph needs more memory than the heap has free ("
                    + e.getMessage() + ")");
        } catch (LinkageError e) {
            throw new CorruptPayloadException("a stored class cannot be loaded here: " + e, e);
        } catch (VirtualMachineError e) {
            throw e; // InternalError, UnknownError: the JVM itself is broken, not the value
        } catch (Error e) {
            // Whatever a class's readObject or static initializer may throw (an AssertionError...).
            throw new CorruptPayloadException("the attribute graph cannot be read: " + e, e);
        }
    }

    // The checks run in this order so that a value is refused for the first thing wrong with it, and a
    // signature is verified before anything after the header is trusted.
    private Decoded read(byte[] payload, ClassLoader loader, String id, String storeKey)
            throws IOException, ClassNotFoundException {
        byte format = PayloadHeader.formatOf(payload);
        sealing.requireSealed(format);
        PayloadHeader header = PayloadHeader.read(payload, format);
        sealing.verify(header, storeKey, payload);
        byte[] body = header.body(payload);
        Serializer reader = readerOf(header.serializerId);
        byte[] graph = sealing.decrypt(header, storeKey, body);
        if (header.has(PayloadHeader.COMPRESSED)) {
            graph = Compression.inflate(graph);
        }
        Object root = reader.deserialize(graph, loader);
        if (!(root instanceof Object[]) || ((Object[]) root).length != 2 || !(((Object[]) root)[1] instanceof Map)) {
            throw new CorruptPayloadException("attribute graph has an unexpected shape");
        }
        Object[] parts = (Object[]) root;
        if (parts[0] != null && !(parts[0] instanceof Principal)) {
            throw new CorruptPayloadException("stored principal is not a java.security.Principal");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) parts[1];
        for (Object name : attributes.keySet()) {
            if (!(name instanceof String)) {
                throw new CorruptPayloadException("an attribute name is not a String");
            }
        }
        SessionData data = new SessionData(id, header.creationTime, header.maxInactive, header.authType,
                (Principal) parts[0], attributes);
        return new Decoded(data, hash(graph, header.maxInactive, header.authType), header.writeId, header.version);
    }

    private Serializer readerOf(byte serializerId) throws CorruptPayloadException {
        Serializer reader = null;
        for (Serializer s : readers) {
            if (s.id() == serializerId) {
                reader = s;
            }
        }
        if (reader == null) {
            throw new CorruptPayloadException("written with serializer id " + serializerId
                    + ", which this agent is not configured to read");
        }
        return reader;
    }

    /** What change detection compares: the graph, the timeout and the auth type (not the write id or time). */
    private static long hash(byte[] graph, int maxInactive, String authType) {
        long h = ChangeHash.mix(ChangeHash.of(graph), maxInactive);
        return authType == null ? h : ChangeHash.mix(h, authType.hashCode());
    }

    // ---------------------------------------------------------------- header peeks, without decoding

    /** The write id in a stored payload's header, or 0 if it is not one of ours. */
    public static long writeIdOf(byte[] payload) {
        return PayloadHeader.writeIdOf(payload);
    }

    /** The version in a stored payload's header (0 for format 1), or -1 if it is not one of ours. */
    public static long versionOf(byte[] payload) {
        return PayloadHeader.versionOf(payload);
    }

    /** When a stored copy was written (epoch millis, from its header), or 0 if it is not one of ours. */
    public static long writtenAtOf(byte[] payload) {
        return PayloadHeader.writtenAtOf(payload);
    }

    /**
     * The session timeout in a stored copy's header, in seconds (zero or less: never expires), or 0 if it is
     * not one of ours. How long the copy should live follows from it, by the dispatcher's expiry policy.
     */
    public static int maxInactiveOf(byte[] payload) {
        return PayloadHeader.maxInactiveOf(payload);
    }

    /**
     * Orders two stored copies of one session: positive when {@code a} is newer than {@code b}. Higher
     * version first; equal versions (two servers wrote concurrently without a lock) by write time.
     */
    public static int compareCopies(byte[] a, byte[] b) {
        return PayloadHeader.compareCopies(a, b);
    }
}
