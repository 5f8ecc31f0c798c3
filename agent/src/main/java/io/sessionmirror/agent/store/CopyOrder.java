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
        REFUSE
    }

    /** Positive when {@code a} is newer than {@code b}; a tombstone is newer than any copy; null is oldest. */
    int compare(byte[] a, byte[] b);

    /** Whether writing {@code incoming} over {@code stored} (null: nothing stored) keeps the order. */
    Decision decide(byte[] stored, byte[] incoming);

    /** How long a stored value should live, in seconds (0: no expiry). */
    int expiryOf(byte[] value);

    /** A tombstone, written now, that lives about {@code expirySeconds}. */
    byte[] tombstone(int expirySeconds);

    boolean isTombstone(byte[] value);
}
