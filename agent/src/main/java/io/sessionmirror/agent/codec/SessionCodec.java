package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.core.ChangeHash;
import io.sessionmirror.agent.core.ExpiryPolicy;
import io.sessionmirror.agent.security.ClassFilter;
import io.sessionmirror.agent.security.PayloadSeal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The stored form of a session. A payload is a small binary header followed by one serialized object
 * graph ({@code Object[]{principal, attributes}}), so references shared between attributes survive:
 * <pre>
 *   'S' 'M' format(1) serializer(1)
 *   writeId(8) version(8) writtenAt(8) creationTime(8) maxInactiveSeconds(4)
 *   authTypeLength(2, 0xFFFF = none) authType(UTF-8)
 *   graphLength(4) graph                                   (format 2)
 *   flags(1) keyId(4) bodyLength(4) body [tag(32)]         (format 3)
 * </pre>
 * Format 3 is written when the payload is signed, encrypted or compressed (format 2 otherwise, which
 * agents before format 3 read). Its flags say which: a signed payload ends with an HMAC-SHA256 tag over
 * the Memcached key and every byte before the tag ({@link PayloadSeal}); the body is the graph, deflated
 * when compressed, then AES-GCM encrypted when encrypted. The header fields stay readable without the key
 * (the store orders copies by version), and are covered by the tag. With a secret configured, nothing is
 * deserialized unless the tag verifies.
 * Attributes that cannot be serialized are left out one by one and reported, so one bad attribute
 * never costs the whole session. The version counts the session's writes across the whole cluster
 * (a server writes the version it loaded or last wrote, plus one): where replicas disagree, the copy
 * with the highest version, then the latest write time, is the session.
 */
public final class SessionCodec {

    static final byte MAGIC_0 = 'S';
    static final byte MAGIC_1 = 'M';
    static final byte FORMAT = 2;
    static final byte LEGACY_FORMAT = 1;
    static final byte SEALED_FORMAT = 3;
    static final int SIGNED = 1;
    static final int ENCRYPTED = 2;
    static final int COMPRESSED = 4;
    /**
     * A compressed graph may not inflate beyond this: a corrupt or hostile value must not exhaust the heap.
     * Refusing one costs about this much memory for the moment it takes (see {@link BoundedInflater}), so it
     * is kept well below a server's heap even when a few such values are read at once: 16 MB. The agent
     * never compresses a larger graph (it is stored plain, where max.size applies), so it can read back
     * whatever it wrote; with max.size at its default of 1 MB, a compressed session reaches the cap only
     * at a ratio beyond 16:1, and a session serializing to more than 16 MB on every request is no session
     * to mirror anyway.
     */
    static final int MAX_INFLATED = 16 * 1024 * 1024;
    private static final int HEADER = 2 + 1 + 1 + 8 + 8 + 8 + 8 + 4 + 2;
    private static final int VERSION_AT = 12;
    private static final int WRITTEN_AT = 20;
    private static final int MAX_INACTIVE_AT = 36;

    private final Serializer serializer;
    private final Serializer[] readers;
    private final PayloadSeal seal;
    private final int compressAbove;

    public SessionCodec(Serializer serializer, Serializer... otherReaders) {
        this(null, -1, serializer, otherReaders);
    }

    /**
     * @param seal signs (and maybe encrypts) what is written and requires a valid signature on what is read;
     *        null for neither
     * @param compressAbove graphs larger than this many bytes are deflated; -1 for never
     */
    public SessionCodec(PayloadSeal seal, int compressAbove, Serializer serializer, Serializer... otherReaders) {
        this.seal = seal;
        this.compressAbove = compressAbove;
        this.serializer = serializer;
        List<Serializer> all = new ArrayList<>();
        all.add(serializer);
        Collections.addAll(all, otherReaders);
        this.readers = all.toArray(new Serializer[0]);
    }

    /** An attribute (or the principal) left out of the stored session, and why. */
    public static final class Skipped {
        public final String name;
        public final String className;
        public final String reason;

        Skipped(String name, String className, String reason) {
            this.name = name;
            this.className = className;
            this.reason = reason;
        }

        @Override
        public String toString() {
            return "'" + name + "' (" + className + ") " + reason;
        }
    }

    public static final class Encoded {
        public final byte[] payload;
        /** Hash of what matters for change detection (not the write id or time). */
        public final long hash;
        public final long writeId;
        public final long version;
        public final List<Skipped> skipped;
        /** The serialized size before compression and encryption. */
        public final int graphLength;

        Encoded(byte[] payload, long hash, long writeId, long version, List<Skipped> skipped, int graphLength) {
            this.graphLength = graphLength;
            this.payload = payload;
            this.hash = hash;
            this.writeId = writeId;
            this.version = version;
            this.skipped = skipped;
        }
    }

    public static final class Decoded {
        public final SessionData data;
        public final long hash;
        public final long writeId;
        public final long version;
        public final long writtenAt;

        Decoded(SessionData data, long hash, long writeId, long version, long writtenAt) {
            this.data = data;
            this.hash = hash;
            this.writeId = writeId;
            this.version = version;
            this.writtenAt = writtenAt;
        }
    }

    /** A stored value that is not a session payload of ours (corrupt, truncated or foreign). */
    public static class CorruptPayloadException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptPayloadException(String message) {
            super(message);
        }

        CorruptPayloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A stored value refused for safety, before anything in it was deserialized: not signed although a
     * secret is set, signed with an unknown secret, a signature that does not match (tampered, truncated or
     * moved from another key), or a class the deserialization filter denies.
     */
    public static final class RejectedPayloadException extends CorruptPayloadException {
        private static final long serialVersionUID = 1L;

        RejectedPayloadException(String message) {
            super(message);
        }
    }

    /**
     * @throws ConcurrentModificationException when the application changed an attribute while it was
     *         being serialized; the caller retries
     * @throws IOException when the remaining attributes still cannot be serialized
     */
    public Encoded encode(SessionData data, ClassLoader loader) throws IOException {
        return encode(data, loader, 1, "");
    }

    public Encoded encode(SessionData data, ClassLoader loader, long version) throws IOException {
        return encode(data, loader, version, "");
    }

    /** Encodes {@code data} as version {@code version} of the session stored under {@code storeKey}. */
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
        List<Skipped> skipped = new ArrayList<>(0);
        Map<String, Object> kept = new LinkedHashMap<>();
        // Sorted, so equal contents always give equal bytes and the change hash is stable.
        String[] names = data.attributes().keySet().toArray(new String[0]);
        java.util.Arrays.sort(names);
        for (String name : names) {
            Object v = data.attributes().get(name);
            if (v == null) {
                continue;
            }
            if (v instanceof Serializable) {
                kept.put(name, v);
            } else {
                skipped.add(new Skipped(name, v.getClass().getName(), "does not implement java.io.Serializable"));
            }
        }
        Principal principal = data.principal();
        if (principal != null && !(principal instanceof Serializable)) {
            skipped.add(new Skipped("(principal)", principal.getClass().getName(), "does not implement java.io.Serializable"));
            principal = null;
        }
        byte[] graph;
        try {
            graph = serializer.serialize(new Object[] {principal, kept}, loader);
        } catch (ConcurrentModificationException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            // Says nothing about the attributes: no culprit to look for, this write is abandoned whole.
            throw new SerializationOutOfMemoryException(e);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            SerializationOutOfMemoryException.rethrowIfOutOfMemory(e);
            // Something deeper in the graph is not serializable: find the culprits one by one.
            for (String name : new ArrayList<>(kept.keySet())) {
                Object v = kept.get(name);
                String why = trySerialize(v, loader);
                if (why != null) {
                    kept.remove(name);
                    skipped.add(new Skipped(name, v.getClass().getName(), why));
                }
            }
            if (principal != null) {
                String why = trySerialize(principal, loader);
                if (why != null) {
                    skipped.add(new Skipped("(principal)", principal.getClass().getName(), why));
                    principal = null;
                }
            }
            graph = serializeOrRunOutOfMemory(new Object[] {principal, kept}, loader);
        }

        long hash = hash(graph, data.maxInactiveSeconds(), data.authType());
        if (unlessHash != 0 && hash == unlessHash) {
            return new Encoded(null, hash, 0, version, skipped, graph.length);
        }
        byte[] auth = data.authType() == null ? null : data.authType().getBytes(StandardCharsets.UTF_8);
        int flags = 0;
        byte[] body = graph;
        // A graph larger than any reader inflates is stored plain: the agent never writes what it cannot read.
        if (compressAbove >= 0 && graph.length > compressAbove && graph.length <= MAX_INFLATED) {
            byte[] deflated = deflate(graph);
            if (deflated.length < graph.length) {
                body = deflated;
                flags |= COMPRESSED;
            }
        }
        if (seal != null) {
            flags |= SIGNED;
            if (seal.encrypts()) {
                body = seal.encrypt(storeKey, body);
                flags |= ENCRYPTED;
            }
        }
        long writeId = ThreadLocalRandom.current().nextLong();
        int authLength = auth == null ? 0 : Math.min(auth.length, 0xFFFE);
        int signedLength = HEADER + authLength + (flags == 0 ? 0 : 5) + 4 + body.length;
        // Written straight into the final array: no stream, no copy (this runs on the request thread).
        byte[] payload = new byte[signedLength + (seal == null ? 0 : PayloadSeal.TAG_LENGTH)];
        ByteBuffer out = ByteBuffer.wrap(payload);
        out.put(MAGIC_0);
        out.put(MAGIC_1);
        out.put(flags == 0 ? FORMAT : SEALED_FORMAT);
        out.put(serializer.id());
        out.putLong(writeId);
        out.putLong(version);
        out.putLong(System.currentTimeMillis());
        out.putLong(data.creationTime());
        out.putInt(data.maxInactiveSeconds());
        if (auth == null) {
            out.putShort((short) 0xFFFF);
        } else {
            out.putShort((short) authLength);
            out.put(auth, 0, authLength);
        }
        if (flags != 0) {
            out.put((byte) flags);
            out.putInt(seal == null ? 0 : seal.current().id);
        }
        out.putInt(body.length);
        out.put(body);
        if (seal != null) {
            byte[] tag = seal.tag(seal.current(), storeKey, payload, signedLength);
            System.arraycopy(tag, 0, payload, signedLength, tag.length);
        }
        return new Encoded(payload, hash, writeId, version, skipped, graph.length);
    }

    private static byte[] deflate(byte[] graph) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED);
        try {
            d.setInput(graph);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(graph.length / 2 + 64);
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static byte[] inflate(byte[] body) throws CorruptPayloadException {
        return BoundedInflater.inflate(body, MAX_INFLATED);
    }

    /**
     * The {@code n} largest attributes with their serialized sizes, largest first, e.g.
     * {@code 'cart' (com.shop.Cart) 812345 bytes}: for the warning about a session too large to store.
     */
    public List<String> largestAttributes(SessionData data, ClassLoader loader, int n) {
        List<Object[]> sizes = new ArrayList<>();
        for (Map.Entry<String, Object> e : data.attributes().entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            int size;
            try {
                size = serializer.serialize(v, loader).length;
            } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError ex) {
                continue; // only for a warning: an attribute that cannot be measured now is not listed
            }
            sizes.add(new Object[] {e.getKey(), v.getClass().getName(), size});
        }
        sizes.sort((a, b) -> Integer.compare((Integer) b[2], (Integer) a[2]));
        List<String> out = new ArrayList<>();
        for (Object[] s : sizes.subList(0, Math.min(n, sizes.size()))) {
            out.add("'" + s[0] + "' (" + s[1] + ") " + s[2] + " bytes");
        }
        return out;
    }

    /** Why {@code value} cannot be serialized, or null when it can. */
    private String trySerialize(Object value, ClassLoader loader) throws SerializationOutOfMemoryException {
        try {
            serializer.serialize(value, loader);
            return null;
        } catch (OutOfMemoryError e) {
            // Not the attribute's fault: it must not be left out of the copy for it.
            throw new SerializationOutOfMemoryException(e);
        } catch (NotSerializableException e) {
            return "contains a " + e.getMessage() + ", which is not serializable";
        } catch (StackOverflowError e) {
            return "is nested too deeply to serialize";
        } catch (IOException | RuntimeException e) {
            SerializationOutOfMemoryException.rethrowIfOutOfMemory(e);
            String m = e.getMessage();
            return "cannot be serialized: " + (m == null ? e.getClass().getName() : m);
        }
    }

    private byte[] serializeOrRunOutOfMemory(Object root, ClassLoader loader) throws IOException {
        try {
            return serializer.serialize(root, loader);
        } catch (OutOfMemoryError e) {
            throw new SerializationOutOfMemoryException(e);
        } catch (IOException | RuntimeException e) {
            SerializationOutOfMemoryException.rethrowIfOutOfMemory(e);
            throw e;
        }
    }

    private static long hash(byte[] graph, int maxInactive, String authType) {
        long h = ChangeHash.mix(ChangeHash.of(graph), maxInactive);
        return authType == null ? h : ChangeHash.mix(h, authType.hashCode());
    }

    /** The write id in a stored payload's header, or 0 if it is not one of ours. */
    public static long writeIdOf(byte[] payload) {
        if (payload.length < HEADER || payload[0] != MAGIC_0 || payload[1] != MAGIC_1) {
            return 0;
        }
        return ByteBuffer.wrap(payload, 4, 8).getLong();
    }

    /** The version in a stored payload's header (0 for format 1), or -1 if it is not one of ours. */
    public static long versionOf(byte[] payload) {
        if (!ours(payload)) {
            return payload != null && payload.length > 2 && payload[0] == MAGIC_0 && payload[1] == MAGIC_1
                    && payload[2] == LEGACY_FORMAT ? 0 : -1;
        }
        return ByteBuffer.wrap(payload, VERSION_AT, 8).getLong();
    }

    /** When a stored copy was written (epoch millis, from its header), or 0 if it is not one of ours. */
    public static long writtenAtOf(byte[] payload) {
        return ours(payload) ? ByteBuffer.wrap(payload, WRITTEN_AT, 8).getLong() : 0;
    }

    /** How long a stored copy should live, from the session timeout in its header (0: no expiry). */
    public static int expiryOf(byte[] payload) {
        if (!ours(payload)) {
            return 0;
        }
        return ExpiryPolicy.expirySeconds(ByteBuffer.wrap(payload, MAX_INACTIVE_AT, 4).getInt());
    }

    private static boolean ours(byte[] payload) {
        return payload != null && payload.length >= HEADER && payload[0] == MAGIC_0 && payload[1] == MAGIC_1
                && (payload[2] == FORMAT || payload[2] == SEALED_FORMAT);
    }

    /**
     * Orders two stored copies of one session: positive when {@code a} is newer than {@code b}. Higher
     * version first; equal versions (two servers wrote concurrently without a lock) by write time.
     */
    public static int compareCopies(byte[] a, byte[] b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        int c = Long.compare(versionOf(a), versionOf(b));
        if (c != 0 || !ours(a) || !ours(b)) {
            return c;
        }
        return Long.compare(ByteBuffer.wrap(a, WRITTEN_AT, 8).getLong(), ByteBuffer.wrap(b, WRITTEN_AT, 8).getLong());
    }

    public Decoded decode(byte[] payload, ClassLoader loader, String id) throws IOException {
        return decode(payload, loader, id, "");
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

    private Decoded read(byte[] payload, ClassLoader loader, String id, String storeKey)
            throws IOException, ClassNotFoundException {
        if (payload == null || payload.length < 3 || payload[0] != MAGIC_0 || payload[1] != MAGIC_1) {
            throw new CorruptPayloadException("not a Session Mirror entry (" + (payload == null ? 0 : payload.length)
                    + " bytes, bad header)");
        }
        byte format = payload[2];
        if (StoredCopy.isTombstone(payload)) {
            throw new CorruptPayloadException("the session has ended (a tombstone, written at its logout, timeout or"
                    + " id change)");
        }
        if (format != FORMAT && format != LEGACY_FORMAT && format != SEALED_FORMAT) {
            throw new CorruptPayloadException("stored format " + format + " is not supported (this agent reads formats "
                    + LEGACY_FORMAT + " to " + SEALED_FORMAT + ")");
        }
        if (seal != null && format != SEALED_FORMAT) {
            throw new RejectedPayloadException("not signed, but a secret is set (written by a server without the"
                    + " secret, or planted)");
        }
        // Format 1 (before session versions) is read too, as version 0, so a cluster can be upgraded in place.
        boolean legacy = format == LEGACY_FORMAT;
        int header = legacy ? HEADER - 8 : HEADER;
        if (payload.length < header + 4) {
            throw new CorruptPayloadException("not a Session Mirror entry (" + payload.length + " bytes, bad header)");
        }
        ByteBuffer in = ByteBuffer.wrap(payload, 4, payload.length - 4);
        long writeId = in.getLong();
        long version = legacy ? 0 : in.getLong();
        long writtenAt = in.getLong();
        long creationTime = in.getLong();
        int maxInactive = in.getInt();
        int authLength = in.getShort() & 0xFFFF;
        int authAt = in.position();
        if (authLength != 0xFFFF) {
            if (authLength > in.remaining()) {
                throw new CorruptPayloadException("truncated entry (auth type)");
            }
            in.position(in.position() + authLength);
        }
        int flags = 0;
        PayloadSeal.Keys keys = null;
        if (format == SEALED_FORMAT) {
            if (in.remaining() < 5) {
                throw new CorruptPayloadException("truncated entry (no flags)");
            }
            flags = in.get() & 0xFF;
            int keyId = in.getInt();
            if ((flags & ~(SIGNED | ENCRYPTED | COMPRESSED)) != 0) {
                throw new CorruptPayloadException("unknown flags " + flags);
            }
            if (seal != null) {
                if ((flags & SIGNED) == 0) {
                    throw new RejectedPayloadException("not signed, but a secret is set (written by a server without"
                            + " the secret, or planted)");
                }
                keys = seal.keys(keyId);
                if (keys == null) {
                    throw new RejectedPayloadException("signed with a secret this server does not have (key id "
                            + Integer.toHexString(keyId) + "); list it in 'secret' while rotating");
                }
                if (payload.length < in.position() + 4 + PayloadSeal.TAG_LENGTH || !seal.verify(keys, storeKey, payload)) {
                    throw new RejectedPayloadException("signature does not match: the value was changed, truncated, or"
                            + " moved from another session's key");
                }
            } else if ((flags & ENCRYPTED) != 0) {
                throw new CorruptPayloadException("encrypted, and this server has no secret to decrypt it");
            }
        }
        int end = payload.length - ((flags & SIGNED) != 0 ? PayloadSeal.TAG_LENGTH : 0);
        if (end - in.position() < 4) {
            throw new CorruptPayloadException("truncated entry (no attribute graph)");
        }
        int bodyLength = in.getInt();
        if (bodyLength < 0 || bodyLength != end - in.position()) {
            throw new CorruptPayloadException("truncated or padded entry (graph of " + bodyLength + " bytes, "
                    + (end - in.position()) + " present)");
        }
        Serializer reader = null;
        for (Serializer s : readers) {
            if (s.id() == payload[3]) {
                reader = s;
            }
        }
        if (reader == null) {
            throw new CorruptPayloadException("written with serializer id " + payload[3]
                    + ", which this agent is not configured to read");
        }
        byte[] graph = new byte[bodyLength];
        in.get(graph);
        if ((flags & ENCRYPTED) != 0) {
            try {
                graph = seal.decrypt(keys, storeKey, graph);
            } catch (java.security.GeneralSecurityException e) {
                throw new RejectedPayloadException("cannot be decrypted with the configured secret (" + e + ")");
            }
        }
        if ((flags & COMPRESSED) != 0) {
            graph = inflate(graph);
        }
        String authType = authLength == 0xFFFF ? null : new String(payload, authAt, authLength, StandardCharsets.UTF_8);
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
        SessionData data = new SessionData(id, creationTime, maxInactive, authType, (Principal) parts[0], attributes);
        return new Decoded(data, hash(graph, maxInactive, authType), writeId, version, writtenAt);
    }
}
