package io.sessionmirror.agent.codec;

import java.util.List;

/** A session as {@link SessionCodec#decode} rebuilt it from a stored copy. */
public final class Decoded {
    public final SessionData data;
    /** The same change hash {@link Encoded#hash} had when this copy was written. */
    public final long hash;
    public final long writeId;
    public final long version;
    /** Per attribute: hash, stamp, removal markers ({@link Lineage#EMPTY} for formats before 5). */
    public final Lineage lineage;
    /**
     * Attributes (or the principal) of the stored copy that could not be restored here and are missing from
     * {@link #data}; empty when everything was restored. Always empty for formats before 5 (all or nothing).
     */
    public final List<DroppedAttribute> dropped;
    /** The stored format: 1, 2, 3 or 5. */
    public final byte format;

    Decoded(SessionData data, long hash, long writeId, long version, Lineage lineage, List<DroppedAttribute> dropped,
            byte format) {
        this.data = data;
        this.hash = hash;
        this.writeId = writeId;
        this.version = version;
        this.lineage = lineage;
        this.dropped = dropped;
        this.format = format;
    }
}
