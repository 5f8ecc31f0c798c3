package io.sessionmirror.agent.codec;

import java.util.Collections;
import java.util.List;

/**
 * What a stored copy says about itself, read without deserializing anything (for {@code inspect}): the
 * header, and for format 5 the sections. Formats before 5 store one graph: {@link #sections} is empty
 * (decode the copy to see its attributes).
 */
public final class StoredPayload {

    public enum Kind { ATTRIBUTE, PRINCIPAL, REMOVED }

    /** One section: an attribute, the principal (named {@code (principal)}) or a removal marker. */
    public static final class StoredSection {
        public final String name;
        /** Empty for a removal marker. */
        public final String className;
        public final Kind kind;
        /** The session version at which it last changed. */
        public final long stamp;
        /** Serialized bytes (0 for a removal marker). */
        public final int length;

        StoredSection(Section s) {
            this.name = s.name;
            this.className = s.className;
            this.kind = Kind.values()[s.kind];
            this.stamp = s.stamp;
            this.length = s.bytes.length;
        }

        @Override
        public String toString() {
            return kind == Kind.REMOVED ? "'" + name + "' removed at version " + stamp
                    : "'" + name + "' (" + className + ") " + length + " bytes, version " + stamp;
        }
    }

    public final byte format;
    /** {@code java}, {@code fst}, or {@code id <n>} for a serializer this agent is not configured with. */
    public final String serializer;
    public final long version;
    public final long writeId;
    public final long parentWriteId;
    /** Which server wrote (or merged) it: {@code pid@host}; "" for older formats. */
    public final String writer;
    public final long writtenAt;
    public final long creationTime;
    public final int maxInactive;
    public final String authType;
    public final boolean signed;
    public final boolean encrypted;
    public final boolean compressed;
    /** The stored bytes, header and signature included. */
    public final int size;
    /** The body's size before compression and encryption. */
    public final int plainSize;
    public final List<StoredSection> sections;

    StoredPayload(PayloadHeader h, String serializer, int size, int plainSize, List<StoredSection> sections) {
        this.format = h.format;
        this.serializer = serializer;
        this.version = h.version;
        this.writeId = h.writeId;
        this.parentWriteId = h.parentWriteId;
        this.writer = h.writer;
        this.writtenAt = h.writtenAt;
        this.creationTime = h.creationTime;
        this.maxInactive = h.maxInactive;
        this.authType = h.authType;
        this.signed = h.has(PayloadHeader.SIGNED);
        this.encrypted = h.has(PayloadHeader.ENCRYPTED);
        this.compressed = h.has(PayloadHeader.COMPRESSED);
        this.size = size;
        this.plainSize = plainSize;
        this.sections = Collections.unmodifiableList(sections);
    }
}
