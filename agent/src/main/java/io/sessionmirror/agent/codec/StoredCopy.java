package io.sessionmirror.agent.codec;

import java.nio.ByteBuffer;

/**
 * What the store must know of a stored value without decoding it: is it a session copy or a tombstone,
 * which of two values is newer, and may a write replace what is stored. One ordering per session, across
 * servers and restarts:
 * <ul>
 *   <li>A <b>tombstone</b> (written when a session is invalidated, times out, or moves to a new id) is newer
 *       than every copy of the session: once an id has ended, no write of it, queued, in flight, or from a
 *       server that restarted with an old copy, can bring it back while the tombstone lives. It lives as long
 *       as the session could have ({@code maxInactive} plus the touch interval), bounded by
 *       {@link #MAX_TOMBSTONE_SECONDS} for sessions that never expire.</li>
 *   <li>Between copies, the higher version wins; equal versions (two servers wrote concurrently without a
 *       lock) by write time.</li>
 * </ul>
 * A format-5 write derived from the stored copy (its parent write id is the stored write id) replaces it (a
 * fast-forward); one derived from another copy is {@link Decision#MERGE merged} with it.
 * Otherwise a write replaces a stored value only if it is newer by this order; the store enforces that atomically
 * per node (read with {@code gets}, replace with {@code cas}, or {@code add} when absent).
 * <pre>
 *   tombstone: 'S' 'M' 4 0 writtenAt(8) expirySeconds(4)
 * </pre>
 * Agents before format 4 read a tombstone as an unusable entry, i.e. as missing.
 */
public final class StoredCopy {

    static final byte TOMBSTONE_FORMAT = 4;
    private static final int TOMBSTONE_LENGTH = 16;
    /** A session that never expires leaves a tombstone for a week: long enough for any write in flight. */
    static final int MAX_TOMBSTONE_SECONDS = 7 * 24 * 3600;

    /** What a write should do with what a node holds. */
    public enum Decision {
        /** The new value is newer: replace. */
        REPLACE,
        /** The node holds this very value already (a retry, or a tombstone over a tombstone). */
        ALREADY,
        /** The node holds something newer (or a tombstone): keep it, the write is refused. */
        REFUSE,
        /**
         * Both are format-5 copies and the new value was not derived from the stored one (two servers wrote
         * concurrently): merge them ({@link SessionCodec#merge}) and store the result.
         */
        MERGE
    }

    private StoredCopy() {
    }

    /** A tombstone that lives {@code expirySeconds} (0 or less: {@link #MAX_TOMBSTONE_SECONDS}). */
    public static byte[] tombstone(int expirySeconds) {
        int ttl = expirySeconds <= 0 ? MAX_TOMBSTONE_SECONDS : Math.min(expirySeconds, MAX_TOMBSTONE_SECONDS);
        ByteBuffer b = ByteBuffer.allocate(TOMBSTONE_LENGTH);
        b.put(PayloadHeader.MAGIC_0).put(PayloadHeader.MAGIC_1).put(TOMBSTONE_FORMAT).put((byte) 0);
        b.putLong(System.currentTimeMillis());
        b.putInt(ttl);
        return b.array();
    }

    public static boolean isTombstone(byte[] v) {
        return v != null && v.length == TOMBSTONE_LENGTH && v[0] == PayloadHeader.MAGIC_0 && v[1] == PayloadHeader.MAGIC_1
                && v[2] == TOMBSTONE_FORMAT;
    }

    /** Positive when {@code a} is newer than {@code b}; a tombstone is newer than any copy; null is oldest. */
    public static int compare(byte[] a, byte[] b) {
        boolean ta = isTombstone(a);
        boolean tb = isTombstone(b);
        if (ta || tb) {
            return ta == tb ? 0 : (ta ? 1 : -1);
        }
        return PayloadHeader.compareCopies(a, b);
    }

    /** Whether writing {@code value} over {@code stored} (null: nothing stored) keeps the order. */
    public static Decision decide(byte[] stored, byte[] value) {
        if (stored == null) {
            return Decision.REPLACE;
        }
        if (isTombstone(stored)) {
            return isTombstone(value) ? Decision.ALREADY : Decision.REFUSE;
        }
        if (!isTombstone(value)) {
            long storedId = PayloadHeader.writeIdOf(stored);
            if (storedId == PayloadHeader.writeIdOf(value)
                    && PayloadHeader.versionOf(stored) == PayloadHeader.versionOf(value)) {
                return Decision.ALREADY; // the same write, stored by an earlier attempt
            }
            long parent = PayloadHeader.parentWriteIdOf(value);
            if (parent != 0 && parent == storedId) {
                return Decision.REPLACE; // derived from what is stored: a fast-forward
            }
            if (PayloadHeader.peekFormat(stored) == PayloadHeader.SECTIONS_FORMAT
                    && PayloadHeader.peekFormat(value) == PayloadHeader.SECTIONS_FORMAT) {
                return Decision.MERGE; // written concurrently from another copy
            }
        }
        int c = compare(value, stored);
        if (c > 0) {
            return Decision.REPLACE;
        }
        if (isTombstone(stored) && isTombstone(value)) {
            return Decision.ALREADY;
        }
        if (!isTombstone(stored) && PayloadHeader.writeIdOf(stored) == PayloadHeader.writeIdOf(value)
                && PayloadHeader.versionOf(stored) == PayloadHeader.versionOf(value)) {
            return Decision.ALREADY; // the same write, stored by an earlier attempt
        }
        return Decision.REFUSE;
    }

    /**
     * How long a tombstone should live: the time written in it. (How long a session copy should live is the
     * dispatcher's policy, from the timeout in its header: {@link SessionCodec#maxInactiveOf}.)
     */
    public static int tombstoneExpiryOf(byte[] tombstone) {
        if (!isTombstone(tombstone)) {
            throw new IllegalArgumentException("not a tombstone");
        }
        return ByteBuffer.wrap(tombstone, 12, 4).getInt();
    }
}
