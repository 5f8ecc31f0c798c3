package io.sessionmirror.agent.tools;

import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.store.CopyOrder;

/**
 * The copy order of a store that the tools only read from: the newest copy is found as the agent finds it, and
 * any write (the tools make none; a repair is one) is refused, so looking at sessions never changes them.
 */
final class ReadOnlyOrder implements CopyOrder {

    @Override
    public int compare(byte[] a, byte[] b) {
        return StoredCopy.compare(a, b);
    }

    @Override
    public Decision decide(byte[] stored, byte[] incoming) {
        return Decision.REFUSE;
    }

    @Override
    public int expiryOf(byte[] value) {
        return 0;
    }

    @Override
    public byte[] tombstone(int expirySeconds) {
        return StoredCopy.tombstone(expirySeconds);
    }

    @Override
    public boolean isTombstone(byte[] value) {
        return StoredCopy.isTombstone(value);
    }
}
