package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where sessions are mirrored: the seam a store backend plugs into ({@link MemcachedStore} in production, an
 * in-memory one in unit tests). Values are opaque bytes ordered by the {@link CopyOrder} the store was built
 * with; every write is conditional (it replaces only an older value, so a late or replayed write never
 * overwrites a newer one). Every call a request thread makes returns within {@link #timeoutMillis()}: a store
 * that cannot answer in time fails with a {@link StoreException}.
 */
public interface SessionStore extends AutoCloseable {

    /** What the store is, for messages an operator reads: "Memcached", "Redis". */
    default String kind() {
        return "Memcached";
    }

    /** How long a call may take before it fails. */
    long timeoutMillis();

    /** The newest stored value of {@code key} (a copy or a tombstone), or null when no node holds it. */
    byte[] get(String key) throws StoreException;

    /** Writes {@code value} where it is newer than what is stored; fails only when no node answered. */
    default WriteResult set(String key, byte[] value, int expirySeconds) throws StoreException {
        return startSet(key, value, expirySeconds).await();
    }

    /** Starts {@link #set} without waiting: several started writes travel together. The timeout counts from here. */
    PendingWrite startSet(String key, byte[] value, int expirySeconds);

    /**
     * Ends a session id for good: a tombstone over whatever is stored. No write of the id is accepted while
     * the tombstone lives.
     */
    default WriteResult tombstone(String key, int expirySeconds) throws StoreException {
        return startTombstone(key, expirySeconds, null).await();
    }

    /**
     * As {@link #tombstone}, started without waiting; with {@code onlyIf}, only over a stored value that it
     * accepts (nothing is written where the key is absent or the value is refused).
     */
    PendingWrite startTombstone(String key, int expirySeconds, Predicate<byte[]> onlyIf);

    /** Extends the expiry of every copy; false when no node holds the key. */
    boolean touch(String key, int expirySeconds) throws StoreException;

    /**
     * Takes the lock {@code key} for {@code token} for {@code ttlSeconds}: true when it was free or already
     * held by this token.
     */
    boolean tryLock(String key, String token, int ttlSeconds) throws StoreException;

    /** Extends the lock to {@code ttlSeconds} from now if {@code token} still holds it; false when it does not. */
    boolean renewLock(String key, String token, int ttlSeconds) throws StoreException;

    /** Releases the lock if {@code token} still holds it; false when it does not (expired, or another's now). */
    boolean unlock(String key, String token) throws StoreException;

    /**
     * Copies the newest value of {@code key} to the nodes that should hold it and do not. False when no node
     * that answered holds the key; true also when nothing answered (nothing to conclude).
     */
    boolean repairKey(String key);

    /** Background repairs queued or running: for tests that must know a read's repairs have run. */
    int repairsPending();

    /** Whether {@code node} is, right now, one of the nodes that should hold a copy of {@code key}. */
    boolean belongsTo(String key, NodeAddress node);

    /** {@code listener} is told when a node answers again or came back empty. */
    void addListener(StoreListener listener);

    /** How many nodes hold each session. */
    int copies();

    List<NodeAddress> nodes();

    /** The nodes that are skipped until they answer again. */
    List<NodeAddress> nodesDown();

    /** Moves to another node list: new calls go there at once; every session is then written there again. */
    void switchNodes(List<NodeAddress> nodes);

    @Override
    void close();
}
