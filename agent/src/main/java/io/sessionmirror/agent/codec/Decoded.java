package io.sessionmirror.agent.codec;

/** A session as {@link SessionCodec#decode} rebuilt it from a stored copy. */
public final class Decoded {
    public final SessionData data;
    /** The same change hash {@link Encoded#hash} had when this copy was written. */
    public final long hash;
    public final long writeId;
    public final long version;

    Decoded(SessionData data, long hash, long writeId, long version) {
        this.data = data;
        this.hash = hash;
        this.writeId = writeId;
        this.version = version;
    }
}
