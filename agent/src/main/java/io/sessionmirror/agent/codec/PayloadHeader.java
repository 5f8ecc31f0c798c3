package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.PayloadSeal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary header of a stored session, which stays readable without the secret (the store orders copies
 * by its version and write time), and the frame around the body:
 * <pre>
 *   'S' 'M' format(1) serializer(1)
 *   writeId(8) version(8) writtenAt(8) creationTime(8) maxInactiveSeconds(4)
 *   authTypeLength(2, 0xFFFF = none) authType(UTF-8)
 *   graphLength(4) graph                                   (format 2)
 *   flags(1) keyId(4) bodyLength(4) body [tag(32)]         (format 3)
 *   flags(1) keyId(4) parentWriteId(8) writerLength(1) writer(UTF-8)
 *   bodyLength(4) body [tag(32)]                                   (format 5, body: {@link SectionsBody})
 * </pre>
 * Format 5 is always written: one section per attribute, each serialized on its own, and the write id of
 * the copy it was derived from (what lets the store tell a fast-forward from a concurrent write).
 * Format 1 (before session versions) has no version field; it is still read, as version 0, so a cluster
 * can be upgraded in place. Reading checks every length against the bytes present: a header read here
 * never points outside the payload.
 */
final class PayloadHeader {

    static final byte MAGIC_0 = 'S';
    static final byte MAGIC_1 = 'M';
    static final byte LEGACY_FORMAT = 1;
    static final byte FORMAT = 2;
    static final byte SEALED_FORMAT = 3;
    /** Format 4 is the tombstone ({@link StoredCopy}). */
    static final byte SECTIONS_FORMAT = 5;
    static final int SIGNED = 1;
    static final int ENCRYPTED = 2;
    static final int COMPRESSED = 4;
    private static final int LENGTH = 2 + 1 + 1 + 8 + 8 + 8 + 8 + 4 + 2;
    private static final int VERSION_AT = 12;
    private static final int WRITTEN_AT = 20;
    private static final int MAX_INACTIVE_AT = 36;
    private static final int NO_AUTH_TYPE = 0xFFFF;

    final byte format;
    final byte serializerId;
    final long writeId;
    final long version;
    final long writtenAt;
    final long creationTime;
    final int maxInactive;
    final String authType;
    /** The format-3/5 flags (0 in formats 1 and 2) and the id of the secret they were sealed with. */
    final int flags;
    final int keyId;
    /** Format 5: the write id of the copy this one was derived from (0: a new session, or an older format). */
    final long parentWriteId;
    /** Format 5: which server wrote the copy ({@code pid@host}, as the JVM names itself; "" when not said). */
    final String writer;
    /** Where the body length field starts: everything before it is the header. */
    private final int bodyAt;

    private PayloadHeader(byte[] payload, byte format) throws CorruptPayloadException {
        this.format = format;
        boolean legacy = format == LEGACY_FORMAT;
        int header = legacy ? LENGTH - 8 : LENGTH;
        if (payload.length < header + 4) {
            throw new CorruptPayloadException("not a Session Mirror entry (" + payload.length + " bytes, bad header)");
        }
        serializerId = payload[3];
        ByteBuffer in = ByteBuffer.wrap(payload, 4, payload.length - 4);
        writeId = in.getLong();
        version = legacy ? 0 : in.getLong();
        writtenAt = in.getLong();
        creationTime = in.getLong();
        maxInactive = in.getInt();
        int authLength = in.getShort() & 0xFFFF;
        int authAt = in.position();
        if (authLength != NO_AUTH_TYPE) {
            if (authLength > in.remaining()) {
                throw new CorruptPayloadException("truncated entry (auth type)");
            }
            in.position(in.position() + authLength);
        }
        authType = authLength == NO_AUTH_TYPE ? null : new String(payload, authAt, authLength, StandardCharsets.UTF_8);
        if (format == SEALED_FORMAT || format == SECTIONS_FORMAT) {
            if (in.remaining() < (format == SECTIONS_FORMAT ? 13 : 5)) {
                throw new CorruptPayloadException("truncated entry (no flags)");
            }
            flags = in.get() & 0xFF;
            keyId = in.getInt();
            parentWriteId = format == SECTIONS_FORMAT ? in.getLong() : 0;
            if ((flags & ~(SIGNED | ENCRYPTED | COMPRESSED)) != 0) {
                throw new CorruptPayloadException("unknown flags " + flags);
            }
            if (format == SECTIONS_FORMAT) {
                int writerLength = in.hasRemaining() ? in.get() & 0xFF : -1;
                if (writerLength < 0 || writerLength > in.remaining()) {
                    throw new CorruptPayloadException("truncated entry (writer)");
                }
                writer = new String(payload, in.position(), writerLength, StandardCharsets.UTF_8);
                in.position(in.position() + writerLength);
            } else {
                writer = "";
            }
        } else {
            flags = 0;
            keyId = 0;
            parentWriteId = 0;
            writer = "";
        }
        bodyAt = in.position();
    }

    /**
     * The format of a stored value, refusing anything that is not a session copy this agent reads (a
     * foreign value, a tombstone, a format from a newer agent).
     */
    static byte formatOf(byte[] payload) throws CorruptPayloadException {
        if (payload == null || payload.length < 3 || payload[0] != MAGIC_0 || payload[1] != MAGIC_1) {
            throw new CorruptPayloadException("not a Session Mirror entry (" + (payload == null ? 0 : payload.length)
                    + " bytes, bad header)");
        }
        byte format = payload[2];
        if (StoredCopy.isTombstone(payload)) {
            throw new CorruptPayloadException("the session has ended (a tombstone, written at its logout, timeout or"
                    + " id change)");
        }
        if (format != FORMAT && format != LEGACY_FORMAT && format != SEALED_FORMAT && format != SECTIONS_FORMAT) {
            throw new CorruptPayloadException("stored format " + format + " is not supported (this agent reads formats "
                    + LEGACY_FORMAT + " to " + SEALED_FORMAT + " and " + SECTIONS_FORMAT + ")");
        }
        return format;
    }

    /** The header of a payload whose format {@link #formatOf} accepted, up to the body. */
    static PayloadHeader read(byte[] payload, byte format) throws CorruptPayloadException {
        return new PayloadHeader(payload, format);
    }

    int bodyAt() {
        return bodyAt;
    }

    /** Whether the header has flags and a key id, so the payload may be signed (formats 3 and 5). */
    boolean sealable() {
        return format == SEALED_FORMAT || format == SECTIONS_FORMAT;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The body (the graph, maybe compressed and encrypted), whose length must match the bytes present. */
    byte[] body(byte[] payload) throws CorruptPayloadException {
        int end = payload.length - (has(SIGNED) ? PayloadSeal.TAG_LENGTH : 0);
        if (end - bodyAt < 4) {
            throw new CorruptPayloadException("truncated entry (no attribute graph)");
        }
        int bodyLength = ByteBuffer.wrap(payload, bodyAt, 4).getInt();
        int at = bodyAt + 4;
        if (bodyLength < 0 || bodyLength != end - at) {
            throw new CorruptPayloadException("truncated or padded entry (graph of " + bodyLength + " bytes, "
                    + (end - at) + " present)");
        }
        byte[] body = new byte[bodyLength];
        System.arraycopy(payload, at, body, 0, bodyLength);
        return body;
    }

    /**
     * A payload of format 2 (no flags), or 3, laid out around {@code body} with {@code tagLength} bytes left
     * at the end for the signature. Written straight into the final array: no stream, no copy (this runs on
     * the request thread).
     */
    static byte[] write(byte serializerId, long writeId, long version, SessionData data, int flags, int keyId,
                        byte[] body, int tagLength) {
        byte[] auth = data.authType() == null ? null : data.authType().getBytes(StandardCharsets.UTF_8);
        int authLength = auth == null ? 0 : Math.min(auth.length, 0xFFFE);
        int signedLength = LENGTH + authLength + (flags == 0 ? 0 : 5) + 4 + body.length;
        byte[] payload = new byte[signedLength + tagLength];
        ByteBuffer out = ByteBuffer.wrap(payload);
        out.put(MAGIC_0);
        out.put(MAGIC_1);
        out.put(flags == 0 ? FORMAT : SEALED_FORMAT);
        out.put(serializerId);
        out.putLong(writeId);
        out.putLong(version);
        out.putLong(System.currentTimeMillis());
        out.putLong(data.creationTime());
        out.putInt(data.maxInactiveSeconds());
        if (auth == null) {
            out.putShort((short) NO_AUTH_TYPE);
        } else {
            out.putShort((short) authLength);
            out.put(auth, 0, authLength);
        }
        if (flags != 0) {
            out.put((byte) flags);
            out.putInt(keyId);
        }
        out.putInt(body.length);
        out.put(body);
        return payload;
    }

    /**
     * A format-5 payload laid out around {@code body} with {@code tagLength} bytes left at the end for the
     * signature, written straight into the final array.
     */
    static byte[] writeSections(byte serializerId, long writeId, long parentWriteId, long version, long writtenAt,
                                long creationTime, int maxInactive, String authType, int flags, int keyId, byte[] writer,
                                byte[] body, int tagLength) {
        byte[] auth = authType == null ? null : authType.getBytes(StandardCharsets.UTF_8);
        int authLength = auth == null ? 0 : Math.min(auth.length, 0xFFFE);
        int signedLength = LENGTH + authLength + 13 + 1 + writer.length + 4 + body.length;
        byte[] payload = new byte[signedLength + tagLength];
        ByteBuffer out = ByteBuffer.wrap(payload);
        out.put(MAGIC_0).put(MAGIC_1).put(SECTIONS_FORMAT).put(serializerId);
        out.putLong(writeId).putLong(version).putLong(writtenAt).putLong(creationTime).putInt(maxInactive);
        if (auth == null) {
            out.putShort((short) NO_AUTH_TYPE);
        } else {
            out.putShort((short) authLength);
            out.put(auth, 0, authLength);
        }
        out.put((byte) flags).putInt(keyId).putLong(parentWriteId);
        out.put((byte) writer.length).put(writer);
        out.putInt(body.length).put(body);
        return payload;
    }

    // ------------------------------------------------------------ peeks, for the store and the dispatcher

    /** The format byte of one of our session copies (2, 3, 5), or 0 for anything else (format 1 included). */
    static byte peekFormat(byte[] payload) {
        return ours(payload) ? payload[2] : 0;
    }

    /** The parent write id of a format-5 copy, or 0 (an older format, a new session, not ours). */
    static long parentWriteIdOf(byte[] payload) {
        if (payload == null || payload.length < LENGTH || payload[0] != MAGIC_0 || payload[1] != MAGIC_1
                || payload[2] != SECTIONS_FORMAT) {
            return 0;
        }
        int authLength = ByteBuffer.wrap(payload, LENGTH - 2, 2).getShort() & 0xFFFF;
        int at = LENGTH + (authLength == NO_AUTH_TYPE ? 0 : authLength) + 5;
        return at + 8 <= payload.length ? ByteBuffer.wrap(payload, at, 8).getLong() : 0;
    }

    /** The write id in a stored payload's header, or 0 if it is not one of ours. */
    static long writeIdOf(byte[] payload) {
        if (payload.length < LENGTH || payload[0] != MAGIC_0 || payload[1] != MAGIC_1) {
            return 0;
        }
        return ByteBuffer.wrap(payload, 4, 8).getLong();
    }

    /** The version in a stored payload's header (0 for format 1), or -1 if it is not one of ours. */
    static long versionOf(byte[] payload) {
        if (!ours(payload)) {
            return payload != null && payload.length > 2 && payload[0] == MAGIC_0 && payload[1] == MAGIC_1
                    && payload[2] == LEGACY_FORMAT ? 0 : -1;
        }
        return ByteBuffer.wrap(payload, VERSION_AT, 8).getLong();
    }

    /** When a stored copy was written (epoch millis, from its header), or 0 if it is not one of ours. */
    static long writtenAtOf(byte[] payload) {
        return ours(payload) ? ByteBuffer.wrap(payload, WRITTEN_AT, 8).getLong() : 0;
    }

    /** The session timeout in a stored copy's header (zero or less: never expires), or 0 if it is not one of ours. */
    static int maxInactiveOf(byte[] payload) {
        return ours(payload) ? ByteBuffer.wrap(payload, MAX_INACTIVE_AT, 4).getInt() : 0;
    }

    /**
     * Orders two stored copies of one session: positive when {@code a} is newer than {@code b}. Higher
     * version first; equal versions (two servers wrote concurrently without a lock) by write time.
     */
    static int compareCopies(byte[] a, byte[] b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        int c = Long.compare(versionOf(a), versionOf(b));
        if (c != 0 || !ours(a) || !ours(b)) {
            return c;
        }
        return Long.compare(writtenAtOf(a), writtenAtOf(b));
    }

    private static boolean ours(byte[] payload) {
        return payload != null && payload.length >= LENGTH && payload[0] == MAGIC_0 && payload[1] == MAGIC_1
                && (payload[2] == FORMAT || payload[2] == SEALED_FORMAT || payload[2] == SECTIONS_FORMAT);
    }
}
