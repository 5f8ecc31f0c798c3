package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.CorruptPayloadException;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.store.CopyOrder;
import io.sessionmirror.agent.support.AgentLog;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The order of stored session copies as the codec defines it ({@link StoredCopy}): the one place the store's
 * {@link CopyOrder} meets the payload format, so the store never reads a payload itself. Two copies that
 * different servers derived from the same parent (non-sticky without a lock) are merged per attribute by the
 * codec ({@link SessionCodec#merge}): the store writes the merge, so both servers' changes survive.
 */
public final class StoredCopyOrder implements CopyOrder {

    private static final Logger LOG = AgentLog.get();

    /**
     * Without a codec: concurrent copies are not merged, the newer one wins as before format 5 (for tools and
     * tests that store copies they made themselves).
     */
    public static final StoredCopyOrder INSTANCE = new StoredCopyOrder(null);

    private final SessionCodec codec;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** {@code codec}: the one that wrote the copies (its secrets verify and seal them); null: no merges. */
    public StoredCopyOrder(SessionCodec codec) {
        this.codec = codec;
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
                return codec != null ? Decision.MERGE : newer(incoming, stored) != null ? Decision.REPLACE
                        : Decision.REFUSE;
            default:
                return Decision.REFUSE;
        }
    }

    @Override
    public byte[] merge(String key, byte[] stored, byte[] incoming) {
        if (codec == null) {
            return newer(incoming, stored);
        }
        try {
            return codec.merge(stored, incoming, key);
        } catch (CorruptPayloadException | RuntimeException e) {
            // One of them cannot be read (written under another secret, damaged): it cannot be merged, so the newer
            // copy wins whole, as between copies of older formats.
            if (warned.compareAndSet(false, true)) {
                LOG.warn("Two concurrent copies of {} could not be merged, the newer one is kept whole (said once): {}",
                        TroubleReports.redact(key), e.toString());
            } else {
                LOG.debug("Two concurrent copies of {} could not be merged: {}", TroubleReports.redact(key), e.toString());
            }
            return newer(incoming, stored);
        }
    }

    /** {@code incoming} if it is newer than {@code stored} by the order of versions and write times, else null. */
    private static byte[] newer(byte[] incoming, byte[] stored) {
        return StoredCopy.compare(incoming, stored) > 0 ? incoming : null;
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
