package io.sessionmirror.agent.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code inspect} prints of a stored copy, read from its header and section table without deserializing
 * anything (SessionCodec.describe). Kept apart from the codec's own type so the output can be tested with any
 * values.
 */
final class PayloadView {

    /** One section: an attribute, the principal, or the marker of an attribute removed at {@code stamp}. */
    static final class Row {
        final String name;
        final String className;
        final String kind;
        final long stamp;
        final int bytes;

        Row(String name, String className, String kind, long stamp, int bytes) {
            this.name = name;
            this.className = className;
            this.kind = kind;
            this.stamp = stamp;
            this.bytes = bytes;
        }

        boolean isPrincipal() {
            return "principal".equals(kind);
        }

        boolean isRemoval() {
            return "removed".equals(kind);
        }
    }

    int format;
    String serializer;
    long version;
    long writeId;
    long parentWriteId;
    /** Which server wrote it ({@code pid@host}); "" when the copy does not say (an older format). */
    String writer = "";
    long writtenAt;
    long creationTime;
    int maxInactive;
    String authType;
    boolean signed;
    boolean encrypted;
    boolean compressed;
    int keyId;
    /** Whether {@link #keyId} was read (the codec's description may not give it). */
    boolean keyIdKnown;
    int size;
    /** The sections, or null when they cannot be read here (encrypted without the secret, an older format). */
    List<Row> rows = new ArrayList<>();
    /** Why {@link #rows} is null. */
    String rowsUnreadable;
}
