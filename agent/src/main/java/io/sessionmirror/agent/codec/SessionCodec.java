package io.sessionmirror.agent.codec;

import io.sessionmirror.agent.security.ClassFilter;
import io.sessionmirror.agent.security.PayloadSeal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The stored form of a session: a {@link PayloadHeader header} followed by one section per attribute
 * (format 5, {@link SectionsBody}: each attribute serialized on its own, with its change hash and the version
 * at which it last changed), {@link Compression deflated} as a whole when large and {@link Sealing signed and
 * maybe encrypted} when a secret is configured. Formats 1 to 3 (one graph for the whole session) are still
 * read. The header fields stay readable without the key (the store orders copies by version), and are
 * covered by the signature. With a secret configured, nothing is deserialized unless the signature verifies.
 * The version counts the session's writes across the whole cluster (a server writes the version it loaded
 * or last wrote, plus one): where replicas disagree, the copy with the highest version, then the latest
 * write time, is the session; two copies written concurrently from the same parent can be
 * {@link #merge merged} section by section.
 *
 * <p>What independent sections cost: an object referenced by two attributes is written twice and restored
 * as two copies (docs/architecture.md, "What is stored"). What they buy: an attribute whose class is missing
 * or changed incompatibly is dropped alone ({@link Decoded#dropped}), and the rest of the session, its login
 * included, is restored.
 */
public final class SessionCodec {

    private final Serializer serializer;
    private final Serializer[] readers;
    private final Sealing sealing;
    private final Compression compression;
    private final byte[] writer;

    /**
     * @param seal signs (and maybe encrypts) what is written and requires a valid signature on what is read;
     *        null for neither
     * @param compressAbove bodies larger than this many bytes are deflated; -1 for never
     * @param serializer writes, and reads what it wrote
     * @param otherReaders read what the other serializers wrote (a cluster that switches serializer)
     */
    public SessionCodec(PayloadSeal seal, int compressAbove, Serializer serializer, Serializer... otherReaders) {
        this(seal, compressAbove, "", serializer, otherReaders);
    }

    /**
     * As above, naming the server in every copy it writes or merges ({@code writer}, e.g. {@code 12345@app-1}, at
     * most 255 UTF-8 bytes): what {@code inspect} shows as the copy's writer.
     */
    public SessionCodec(PayloadSeal seal, int compressAbove, String writer, Serializer serializer,
                        Serializer... otherReaders) {
        this.writer = writerBytes(writer);
        this.sealing = new Sealing(seal);
        this.compression = new Compression(compressAbove);
        this.serializer = serializer;
        List<Serializer> all = new ArrayList<>();
        all.add(serializer);
        Collections.addAll(all, otherReaders);
        this.readers = all.toArray(new Serializer[0]);
    }

    /** As {@link #encode(SessionData, ClassLoader, long, long, Lineage, String, long)} for a new session. */
    public Encoded encode(SessionData data, ClassLoader loader, long version, String storeKey) throws IOException {
        return encode(data, loader, version, 0, Lineage.EMPTY, storeKey, 0);
    }

    /** As {@link #encode(SessionData, ClassLoader, long, long, Lineage, String, long)} for a new session. */
    public Encoded encode(SessionData data, ClassLoader loader, long version, String storeKey, long unlessHash)
            throws IOException {
        return encode(data, loader, version, 0, Lineage.EMPTY, storeKey, unlessHash);
    }

    /**
     * Encodes {@code data} as version {@code version} of the session stored under {@code storeKey}, derived
     * from the copy with write id {@code parentWriteId} (0: none) whose lineage was {@code base}: an attribute
     * whose bytes hash as in {@code base} keeps its stamp there, a changed or new one is stamped
     * {@code version}, and one live in {@code base} but gone now becomes a removal marker stamped {@code version}.
     * When the change hash comes out as {@code unlessHash} (what was last written; 0 for none) it stops there:
     * the result has the hash and a null payload, and no time is spent compressing, encrypting or signing.
     *
     * @throws ConcurrentModificationException when the application changed an attribute while it was
     *         being serialized; the caller retries
     * @throws SerializationOutOfMemoryException when the heap ran out; nothing is left out for it
     */
    public Encoded encode(SessionData data, ClassLoader loader, long version, long parentWriteId, Lineage base,
                          String storeKey, long unlessHash) throws IOException {
        SectionEncoder sections = SectionEncoder.encode(serializer, data, loader, version, base);
        byte[] body = SectionsBody.write(sections.sections);
        long hash = SectionsBody.contentHash(sections.sections, data.maxInactiveSeconds(), data.authType());
        if (unlessHash != 0 && hash == unlessHash) {
            return new Encoded(null, hash, 0, version, sections.skipped, body.length, sections.lineage, sections.sizes);
        }
        long writeId = newWriteId();
        byte[] payload = Envelope.close(sealing, compression, serializer.id(), writeId, parentWriteId, version,
                data.creationTime(), data.maxInactiveSeconds(), data.authType(), writer, body, storeKey);
        return new Encoded(payload, hash, writeId, version, sections.skipped, body.length, sections.lineage,
                sections.sizes);
    }

    /**
     * Whether the attributes {@code names} of {@code data} serialize to what {@code base} has for them (a
     * missing attribute: absent or removed there). Serializes only those attributes: a request that read one
     * mutable attribute checks that one. False when one cannot be serialized (a full encode says why).
     */
    public boolean unchanged(SessionData data, ClassLoader loader, Lineage base, Collection<String> names)
            throws IOException {
        List<SkippedAttribute> skipped = new ArrayList<>(0);
        for (String name : names) {
            Object v = data.attributes().get(name);
            int i = base.indexOf(name);
            if (v == null) {
                if (i >= 0 && !base.removed(i)) {
                    return false;
                }
                continue;
            }
            if (i < 0 || base.removed(i)) {
                return false;
            }
            byte[] bytes = SectionEncoder.serialized(serializer, name, v, loader, skipped);
            if (bytes == null || ChangeHash.of(bytes) != base.hash(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The {@code n} largest attributes with their serialized sizes, largest first, e.g.
     * {@code 'cart' (com.shop.Cart) 812345 bytes}: for the warning about a session too large to store.
     */
    public List<String> largestAttributes(SessionData data, ClassLoader loader, int n) {
        List<AttributeSize> sizes;
        try {
            sizes = new ArrayList<>(SectionEncoder.encode(serializer, data, loader, 1, Lineage.EMPTY).sizes);
        } catch (IOException | RuntimeException e) {
            return Collections.emptyList(); // only for a warning
        }
        sizes.sort((a, b) -> Integer.compare(b.bytes, a.bytes));
        List<String> out = new ArrayList<>();
        for (AttributeSize s : sizes.subList(0, Math.min(n, sizes.size()))) {
            out.add(s.toString());
        }
        return out;
    }

    /**
     * Rebuilds the session stored under {@code storeKey}. Throws only {@link CorruptPayloadException} (or its
     * {@link RejectedPayloadException}), whatever the bytes: with a secret, nothing is deserialized before
     * the signature over the key and the bytes has been verified. In format 5, an attribute that does not
     * deserialize here is left out and listed in {@link Decoded#dropped}; a class the filter denies still
     * refuses the whole copy.
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
        Envelope e = Envelope.open(sealing, payload, storeKey);
        Serializer reader = readerOf(e.header.serializerId);
        if (e.header.format != PayloadHeader.SECTIONS_FORMAT) {
            return LegacyGraph.read(e, reader, loader, id);
        }
        PayloadHeader h = e.header;
        List<Section> sections = SectionsBody.read(e.plain);
        SectionDecoder restored = SectionDecoder.decode(reader, sections, loader);
        SessionData data = new SessionData(id, h.creationTime, h.maxInactive, h.authType, restored.principal,
                restored.attributes);
        return new Decoded(data, SectionsBody.contentHash(sections, h.maxInactive, h.authType), h.writeId, h.version,
                SectionsBody.lineageOf(sections), Collections.unmodifiableList(restored.dropped), h.format);
    }

    /**
     * Merges two format-5 copies of the session stored under {@code storeKey} written concurrently (neither
     * derived from the other), without deserializing anything: per attribute the section with the higher
     * stamp (equal stamps: the copy written later), the principal, auth type and timeout from the copy
     * written later. Both are verified (and decrypted) first; the result is a new write (version: the higher
     * plus one, parent: {@code stored}'s write id), sealed like any write.
     *
     * @return the merged copy; {@code incoming} itself when the merge is exactly it and it is the higher
     *         version; null when nothing of {@code incoming} is newer than {@code stored} (keep stored) or
     *         either is not format 5 (cannot merge). Copies of two different serializers are not merged:
     *         the newer by version, then write time, is kept ({@code incoming}, or null).
     * @throws CorruptPayloadException when either copy does not verify or is corrupt
     */
    public byte[] merge(byte[] stored, byte[] incoming, String storeKey) throws CorruptPayloadException {
        if (PayloadHeader.peekFormat(stored) != PayloadHeader.SECTIONS_FORMAT
                || PayloadHeader.peekFormat(incoming) != PayloadHeader.SECTIONS_FORMAT) {
            return null;
        }
        Envelope s = Envelope.open(sealing, stored, storeKey);
        Envelope n = Envelope.open(sealing, incoming, storeKey);
        if (s.header.serializerId != n.header.serializerId) {
            return PayloadHeader.compareCopies(incoming, stored) > 0 ? incoming : null;
        }
        SectionMerge m = SectionMerge.merge(s.header, SectionsBody.read(s.plain), n.header, SectionsBody.read(n.plain));
        if (m.equalsIncoming && n.header.version > s.header.version) {
            return incoming;
        }
        if (m.equalsStored) {
            return null;
        }
        return Envelope.close(sealing, compression, s.header.serializerId, newWriteId(), s.header.writeId,
                Math.max(s.header.version, n.header.version) + 1, m.creationTime, m.maxInactive, m.authType, writer,
                SectionsBody.write(m.sections), storeKey);
    }

    /**
     * What a stored copy says about itself, without deserializing anything: its header and (format 5) its
     * sections. Verified and decrypted like a decode: with a secret, a copy that does not verify is refused.
     */
    public StoredPayload describe(byte[] payload, String storeKey) throws CorruptPayloadException {
        Envelope e = Envelope.open(sealing, payload, storeKey);
        List<StoredPayload.StoredSection> sections = new ArrayList<>();
        if (e.header.format == PayloadHeader.SECTIONS_FORMAT) {
            for (Section s : SectionsBody.read(e.plain)) {
                sections.add(new StoredPayload.StoredSection(s));
            }
        }
        String name = "id " + e.header.serializerId;
        for (Serializer r : readers) {
            name = r.id() == e.header.serializerId ? r.name() : name;
        }
        return new StoredPayload(e.header, name, payload.length, e.plain.length, sections);
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

    private static long newWriteId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0); // 0 means "no parent"
        return id;
    }

    // ---------------------------------------------------------------- header peeks, without decoding

    /** The write id in a stored payload's header, or 0 if it is not one of ours. */
    public static long writeIdOf(byte[] payload) {
        return PayloadHeader.writeIdOf(payload);
    }

    /** {@code writer} as stored: UTF-8, cut to 255 bytes at a character boundary. */
    private static byte[] writerBytes(String writer) {
        String w = writer == null ? "" : writer;
        byte[] b = w.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        while (b.length > 255) {
            w = w.substring(0, w.length() - 1);
            b = w.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return b;
    }

    /** Which server wrote a stored copy ({@code pid@host}), from its header; "" for older formats or not ours. */
    public static String writerOf(byte[] payload) {
        try {
            return PayloadHeader.read(payload, PayloadHeader.formatOf(payload)).writer;
        } catch (CorruptPayloadException e) {
            return "";
        }
    }

    /** The write id of the copy a format-5 payload was derived from; 0 for a new session or an older format. */
    public static long parentWriteIdOf(byte[] payload) {
        return PayloadHeader.parentWriteIdOf(payload);
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
