package io.sessionmirror.agent.store;

/**
 * What the store must know of a stored value without decoding it, given by the owner of the payload format:
 * which of two values is newer, may a write replace what a node holds, how long a value lives, and what ends
 * a session id for good (a tombstone). The store enforces the order atomically per node; it never reads the
 * payload itself.
 */
public interface CopyOrder {

    /** What a write should do with what a node holds. */
    enum Decision {
        /** The new value is newer: replace. */
        REPLACE,
        /** The node holds this very value already (a retry, or a tombstone over a tombstone). */
        ALREADY,
        /** The node holds something newer (or a tombstone): keep it, the write is refused. */
        REFUSE,
        /**
         * Both were derived from a common older copy by different servers (neither is the other's parent): write
         * {@link #merge} of the two instead of either, so that the changes of both survive.
         */
        MERGE
    }

    /** Positive when {@code a} is newer than {@code b}; a tombstone is newer than any copy; null is oldest. */
    int compare(byte[] a, byte[] b);

    /** Whether writing {@code incoming} over {@code stored} (null: nothing stored) keeps the order. */
    Decision decide(byte[] stored, byte[] incoming);

    /**
     * What to write instead when {@link #decide} says {@link Decision#MERGE}: {@code incoming} itself when nothing
     * of {@code stored} is newer, a new value holding the newer part of each, or null when nothing of
     * {@code incoming} is newer (keep {@code stored}: the write is refused). Must not block; {@code key} is the
     * store key, which a sealed payload is bound to.
     */
    default byte[] merge(String key, byte[] stored, byte[] incoming) {
        return null;
    }

    /** How long a stored value should live, in seconds (0: no expiry). */
    int expiryOf(byte[] value);

    /** A tombstone, written now, that lives about {@code expirySeconds}. */
    byte[] tombstone(int expirySeconds);

    boolean isTombstone(byte[] value);
}
