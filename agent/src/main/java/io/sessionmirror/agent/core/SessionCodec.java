package io.sessionmirror.agent.core;

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
 *   graphLength(4) graph
 * </pre>
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
    private static final int HEADER = 2 + 1 + 1 + 8 + 8 + 8 + 8 + 4 + 2;
    private static final int VERSION_AT = 12;
    private static final int WRITTEN_AT = 20;
    private static final int MAX_INACTIVE_AT = 36;

    private final Serializer serializer;
    private final Serializer[] readers;

    public SessionCodec(Serializer serializer, Serializer... otherReaders) {
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

        Encoded(byte[] payload, long hash, long writeId, long version, List<Skipped> skipped) {
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
    public static final class CorruptPayloadException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptPayloadException(String message) {
            super(message);
        }
    }

    /**
     * @throws ConcurrentModificationException when the application changed an attribute while it was
     *         being serialized; the caller retries
     * @throws IOException when the remaining attributes still cannot be serialized
     */
    public Encoded encode(SessionData data, ClassLoader loader) throws IOException {
        return encode(data, loader, 1);
    }

    /** Encodes {@code data} as version {@code version} of the session. */
    public Encoded encode(SessionData data, ClassLoader loader, long version) throws IOException {
        List<Skipped> skipped = new ArrayList<>(0);
        Map<String, Object> kept = new LinkedHashMap<>();
        // Sorted, so equal contents always give equal bytes and the change hash is stable.
        for (String name : new TreeSet<>(data.attributes().keySet())) {
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
        } catch (IOException | RuntimeException e) {
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
            graph = serializer.serialize(new Object[] {principal, kept}, loader);
        }

        byte[] auth = data.authType() == null ? null : data.authType().getBytes(StandardCharsets.UTF_8);
        long writeId = ThreadLocalRandom.current().nextLong();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER + graph.length + (auth == null ? 0 : auth.length));
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(MAGIC_0);
        out.writeByte(MAGIC_1);
        out.writeByte(FORMAT);
        out.writeByte(serializer.id());
        out.writeLong(writeId);
        out.writeLong(version);
        out.writeLong(System.currentTimeMillis());
        out.writeLong(data.creationTime());
        out.writeInt(data.maxInactiveSeconds());
        if (auth == null) {
            out.writeShort(0xFFFF);
        } else {
            out.writeShort(Math.min(auth.length, 0xFFFE));
            out.write(auth, 0, Math.min(auth.length, 0xFFFE));
        }
        out.writeInt(graph.length);
        out.write(graph);
        out.flush();
        return new Encoded(bytes.toByteArray(), hash(graph, data.maxInactiveSeconds(), data.authType()), writeId, version,
                skipped);
    }

    private String trySerialize(Object value, ClassLoader loader) {
        try {
            serializer.serialize(value, loader);
            return null;
        } catch (NotSerializableException e) {
            return "contains a " + e.getMessage() + ", which is not serializable";
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage();
            return "cannot be serialized: " + (m == null ? e.getClass().getName() : m);
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

    /** How long a stored copy should live, from the session timeout in its header (0: no expiry). */
    public static int expiryOf(byte[] payload) {
        if (!ours(payload)) {
            return 0;
        }
        return SessionMirror.expirySeconds(ByteBuffer.wrap(payload, MAX_INACTIVE_AT, 4).getInt());
    }

    private static boolean ours(byte[] payload) {
        return payload != null && payload.length >= HEADER && payload[0] == MAGIC_0 && payload[1] == MAGIC_1
                && payload[2] == FORMAT;
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

    public Decoded decode(byte[] payload, ClassLoader loader, String id) throws IOException, ClassNotFoundException {
        // Format 1 (before session versions) is read too, as version 0, so a cluster can be upgraded in place.
        boolean legacy = payload.length > 2 && payload[2] == LEGACY_FORMAT;
        int header = legacy ? HEADER - 8 : HEADER;
        if (payload.length < header + 4 || payload[0] != MAGIC_0 || payload[1] != MAGIC_1) {
            throw new CorruptPayloadException("not a Session Mirror entry (" + payload.length + " bytes, bad header)");
        }
        if (payload[2] != FORMAT && !legacy) {
            throw new CorruptPayloadException("stored format " + payload[2] + " is not supported (this agent reads formats "
                    + LEGACY_FORMAT + " and " + FORMAT + ")");
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
        ByteBuffer in = ByteBuffer.wrap(payload, 4, payload.length - 4);
        long writeId = in.getLong();
        long version = legacy ? 0 : in.getLong();
        long writtenAt = in.getLong();
        long creationTime = in.getLong();
        int maxInactive = in.getInt();
        int authLength = in.getShort() & 0xFFFF;
        String authType = null;
        if (authLength != 0xFFFF) {
            if (authLength > in.remaining()) {
                throw new CorruptPayloadException("truncated entry (auth type)");
            }
            authType = new String(payload, in.position(), authLength, StandardCharsets.UTF_8);
            in.position(in.position() + authLength);
        }
        if (in.remaining() < 4) {
            throw new CorruptPayloadException("truncated entry (no attribute graph)");
        }
        int graphLength = in.getInt();
        if (graphLength < 0 || graphLength != in.remaining()) {
            throw new CorruptPayloadException("truncated or padded entry (graph of " + graphLength + " bytes, "
                    + in.remaining() + " present)");
        }
        byte[] graph = new byte[graphLength];
        in.get(graph);
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
        SessionData data = new SessionData(id, creationTime, maxInactive, authType, (Principal) parts[0], attributes);
        return new Decoded(data, hash(graph, maxInactive, authType), writeId, version, writtenAt);
    }
}
