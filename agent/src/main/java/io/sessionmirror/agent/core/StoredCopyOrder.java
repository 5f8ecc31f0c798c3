package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.store.CopyOrder;

/**
 * The order of stored session copies as the codec defines it ({@link StoredCopy}): the one place the store's
 * {@link CopyOrder} meets the payload format, so the store never reads a payload itself.
 */
public final class StoredCopyOrder implements CopyOrder {

    public static final StoredCopyOrder INSTANCE = new StoredCopyOrder();

    private StoredCopyOrder() {
    }

    @Override
    public int compare(byte[] a, byte[] b) {
        return StoredCopy.compare(a, b);
    }

    @Override
    public Decision decide(byte[] stored, byte[] incoming) {
        switch (StoredCopy.decide(stored, incoming)) {
            case REPLACE:
                return Decision.REPLACE;
            case ALREADY:
                return Decision.ALREADY;
            case MERGE:
                // Until the stores merge (codec.merge), a concurrent write keeps the order it had before format 5:
                // the newer by version, then write time, wins.
                return StoredCopy.compare(incoming, stored) > 0 ? Decision.REPLACE : Decision.REFUSE;
            default:
                return Decision.REFUSE;
        }
    }

    @Override
    public int expiryOf(byte[] value) {
        return ExpiryPolicy.expiryOf(value);
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
