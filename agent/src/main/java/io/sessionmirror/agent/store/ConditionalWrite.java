package io.sessionmirror.agent.store;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;

/**
 * A conditional write on its way to its nodes: {@code gets} on every node first, then {@code cas} (or
 * {@code add} where the key is absent) where the {@link CopyOrder} says the new value is newer, all pipelined.
 * A node that changed the key between the two (another server wrote, or a tombstone landed) is read again and
 * decided again. A node that fails is remembered, to be written when it is back.
 *
 * <p>Where the order says {@link CopyOrder.Decision#MERGE} (another server wrote a copy derived from the same
 * parent), the merge of what the node holds and the new value is written with the same {@code cas}: when the key
 * changes again before it lands, the node is read again and the new value merged with what it holds then, so
 * a change that landed meanwhile is never overwritten.
 */
final class ConditionalWrite implements PendingWrite {

    private static final int ATTEMPTS = 4;
    private static final int PENDING = 0;
    private static final int STORED = 1;
    private static final int REFUSED = 2;
    private static final int NOTHING_TO_DO = 3;
    private static final int MERGED = 4;
    private static final int FAILED = -1;

    private final Cluster cluster;
    private final String key;
    private final byte[] value;
    private final int exp;
    private final List<Node> targets;
    private final Predicate<byte[]> onlyIf;
    private final boolean tombstone;
    private final long deadline;
    private final Future<?>[] calls;
    /** Per node: one of PENDING, STORED, REFUSED, NOTHING_TO_DO, FAILED. */
    private final int[] outcome;
    private final String[] errors;
    /** Per node: the value the pending call writes is a merge (not {@link #value} itself). */
    private final boolean[] merging;
    /** The last merge made: replicas usually hold the same copy, which is then merged once, not once per node. */
    private byte[] mergedFrom;
    private byte[] merged;
    private boolean advanced;

    /**
     * Starts the reads. {@code onlyIf} (may be null): write only over a stored value it accepts.
     * {@code tombstone}: a node that fails is remembered as a missed delete, not a missed write.
     */
    ConditionalWrite(Cluster cluster, String key, byte[] value, int expirySeconds, List<Node> targets,
                     Predicate<byte[]> onlyIf, boolean tombstone) {
        this.cluster = cluster;
        this.key = key;
        this.value = value;
        this.exp = Cluster.expiry(expirySeconds);
        this.targets = targets;
        this.onlyIf = onlyIf;
        this.tombstone = tombstone;
        this.calls = new Future<?>[targets.size()];
        this.outcome = new int[targets.size()];
        this.errors = new String[targets.size()];
        this.merging = new boolean[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            calls[i] = targets.get(i).start(c -> c.asyncGets(key, RawBytes.INSTANCE));
        }
        // From here: a client created moments ago may have waited for its first connection in start().
        this.deadline = cluster.deadline();
    }

    @Override
    public void advance() {
        if (advanced) {
            return;
        }
        advanced = true;
        for (int i = 0; i < targets.size(); i++) {
            try {
                calls[i] = decideAndStart(i, gets(i));
            } catch (StoreException e) {
                fail(i, e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private CASValue<byte[]> gets(int i) throws StoreException {
        return (CASValue<byte[]>) targets.get(i).await(calls[i], deadline, "gets");
    }

    private Future<?> decideAndStart(int i, CASValue<byte[]> read) {
        Node n = targets.get(i);
        byte[] stored = read == null ? null : read.getValue();
        CopyOrder.Decision d = onlyIf != null && (stored == null || !onlyIf.test(stored))
                ? null : cluster.order.decide(stored, value);
        if (d == null) {
            outcome[i] = NOTHING_TO_DO;
            return null;
        }
        merging[i] = false;
        switch (d) {
            case ALREADY:
                outcome[i] = STORED;
                return null;
            case REFUSE:
                outcome[i] = REFUSED;
                return null;
            case MERGE:
                byte[] m = mergeWith(stored);
                if (m == null) {
                    outcome[i] = REFUSED; // nothing of ours is newer than what the node holds
                    return null;
                }
                if (m == value) {
                    break; // nothing of the node's copy is newer than ours: a plain write of ours
                }
                merging[i] = true;
                int mergedExp = Cluster.expiry(cluster.order.expiryOf(m));
                return read == null
                        ? n.start(c -> c.add(key, mergedExp, m, RawBytes.INSTANCE))
                        : n.start(c -> c.asyncCAS(key, read.getCas(), mergedExp, m, RawBytes.INSTANCE));
            default:
                break;
        }
        return read == null
                ? n.start(c -> c.add(key, exp, value, RawBytes.INSTANCE))
                : n.start(c -> c.asyncCAS(key, read.getCas(), exp, value, RawBytes.INSTANCE));
    }

    /** The merge of {@code stored} and our value (see {@link CopyOrder#merge}); made once per distinct stored copy. */
    private byte[] mergeWith(byte[] stored) {
        if (mergedFrom == null || !Arrays.equals(mergedFrom, stored)) {
            merged = cluster.order.merge(key, stored, value);
            mergedFrom = stored;
        }
        return merged;
    }

    @Override
    public WriteResult await() throws StoreException {
        advance();
        for (int i = 0; i < targets.size(); i++) {
            Node n = targets.get(i);
            for (int attempt = 1; outcome[i] == PENDING; attempt++) {
                try {
                    Object answer = n.await(calls[i], deadline, tombstone ? "tombstone" : "set");
                    if (Boolean.TRUE.equals(answer) || answer == CASResponse.OK) {
                        outcome[i] = merging[i] ? MERGED : STORED;
                    } else if (answer instanceof Boolean || answer == CASResponse.EXISTS
                            || answer == CASResponse.NOT_FOUND) {
                        // The key changed since our read: read again and decide again.
                        if (attempt == ATTEMPTS) {
                            throw new StoreException("Memcached " + n.address + " kept changing " + key
                                    + " during " + ATTEMPTS + " attempts to write it");
                        }
                        calls[i] = n.start(c -> c.asyncGets(key, RawBytes.INSTANCE));
                        calls[i] = decideAndStart(i, gets(i));
                    } else {
                        throw new StoreException("Memcached " + n.address + " refused to store " + value.length
                                + " bytes (" + answer + ")");
                    }
                } catch (StoreException e) {
                    fail(i, e);
                }
            }
        }
        int answered = 0;
        boolean refused = false;
        boolean anyMerged = false;
        String lastError = null;
        for (int i = 0; i < targets.size(); i++) {
            if (outcome[i] > 0) {
                answered++;
                refused |= outcome[i] == REFUSED;
                anyMerged |= outcome[i] == MERGED;
            } else {
                lastError = errors[i];
            }
        }
        if (answered == 0) {
            throw cluster.noAnswer(lastError);
        }
        return refused ? WriteResult.REFUSED : anyMerged ? WriteResult.MERGED : WriteResult.STORED;
    }

    private void fail(int i, StoreException e) {
        outcome[i] = FAILED;
        errors[i] = e.getMessage();
        Node n = targets.get(i);
        if (tombstone) {
            if (onlyIf == null) {
                n.deleteLater(key, cluster.order.expiryOf(value));
            }
        } else {
            n.missed(key);
        }
    }
}
