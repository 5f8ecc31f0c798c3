package io.sessionmirror.benchmarks;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.store.PendingWrite;
import io.sessionmirror.agent.store.SessionStore;
import io.sessionmirror.agent.store.StoreListener;
import io.sessionmirror.agent.store.WriteResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A store in a map for {@link RequestPathBenchmark}: the agent's own cost without Memcached's. Writes always
 * replace (the benchmark's writes come in order from one thread), expiry is ignored, locks are not used (sticky).
 */
final class MapStore implements SessionStore {

    private static final NodeAddress NODE = new NodeAddress("memory", NodeAddress.DEFAULT_PORT);

    private final Map<String, byte[]> values = new ConcurrentHashMap<>();

    @Override
    public long timeoutMillis() {
        return 1000;
    }

    @Override
    public byte[] get(String key) {
        return values.get(key);
    }

    @Override
    public PendingWrite startSet(String key, byte[] value, int expirySeconds) {
        return done(() -> values.put(key, value));
    }

    @Override
    public PendingWrite startTombstone(String key, int expirySeconds, Predicate<byte[]> onlyIf) {
        return done(() -> values.remove(key));
    }

    private static PendingWrite done(Runnable write) {
        return new PendingWrite() {
            @Override
            public void advance() {
                write.run();
            }

            @Override
            public WriteResult await() {
                write.run();
                return WriteResult.STORED;
            }
        };
    }

    @Override
    public boolean touch(String key, int expirySeconds) {
        return values.containsKey(key);
    }

    @Override
    public boolean tryLock(String key, String token, int ttlSeconds) {
        throw new UnsupportedOperationException("sticky: no session locks");
    }

    @Override
    public boolean renewLock(String key, String token, int ttlSeconds) {
        throw new UnsupportedOperationException("sticky: no session locks");
    }

    @Override
    public boolean unlock(String key, String token) {
        throw new UnsupportedOperationException("sticky: no session locks");
    }

    @Override
    public boolean repairKey(String key) {
        return values.containsKey(key);
    }

    @Override
    public int repairsPending() {
        return 0;
    }

    @Override
    public boolean belongsTo(String key, NodeAddress node) {
        return true;
    }

    @Override
    public void addListener(StoreListener listener) {
        // one node that never goes away: nothing to announce
    }

    @Override
    public int copies() {
        return 1;
    }

    @Override
    public List<NodeAddress> nodes() {
        return List.of(NODE);
    }

    @Override
    public List<NodeAddress> nodesDown() {
        return List.of();
    }

    @Override
    public void switchNodes(List<NodeAddress> nodes) {
        throw new UnsupportedOperationException("one node");
    }

    @Override
    public void close() {
        values.clear();
    }
}
