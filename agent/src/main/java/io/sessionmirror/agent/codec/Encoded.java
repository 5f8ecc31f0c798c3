package io.sessionmirror.agent.codec;

import java.util.List;

/** A session as {@link SessionCodec#encode} wrote it. */
public final class Encoded {
    /** The value to store; null when the change hash was the one the caller said it last wrote. */
    public final byte[] payload;
    /** Hash of what matters for change detection (not the write id or time). */
    public final long hash;
    public final long writeId;
    public final long version;
    public final List<SkippedAttribute> skipped;
    /** The serialized size before compression and encryption. */
    public final int graphLength;
    /** Per attribute: hash, stamp, removal markers, as written (keep it as the base of the next write). */
    public final Lineage lineage;
    /** The serialized size of each attribute written (and of the principal, named {@code (principal)}). */
    public final List<AttributeSize> sizes;

    Encoded(byte[] payload, long hash, long writeId, long version, List<SkippedAttribute> skipped, int graphLength,
            Lineage lineage, List<AttributeSize> sizes) {
        this.graphLength = graphLength;
        this.payload = payload;
        this.hash = hash;
        this.writeId = writeId;
        this.version = version;
        this.skipped = skipped;
        this.lineage = lineage;
        this.sizes = sizes;
    }
}
