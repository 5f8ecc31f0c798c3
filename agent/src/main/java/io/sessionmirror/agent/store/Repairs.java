package io.sessionmirror.agent.store;

import io.sessionmirror.agent.support.AgentLog;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * Background repairs, on one daemon thread: a read's copy onto a node that holds an older one or none, the
 * replay of what a node missed while it was away, and the announcement of a node that came back (to the
 * {@link StoreListener}s, which write again every session that belongs on it). Never on a request thread.
 */
final class Repairs {

    /** Pending background repairs; beyond that repairs are dropped (the next write or recovery fixes them). */
    private static final int MAX_REPAIRS = 20_000;

    private static final Logger LOG = AgentLog.get();

    private final Cluster cluster;
    /** Reads a key, which repairs its copies; false when no node that answered holds it. */
    private final Predicate<String> repairKey;
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>(MAX_REPAIRS);
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread thread;

    Repairs(Cluster cluster, Predicate<String> repairKey) {
        this.cluster = cluster;
        this.repairKey = repairKey;
        this.thread = new Thread(this::run, "session-mirror-repair");
        thread.setDaemon(true);
        thread.start();
    }

    void addListener(StoreListener l) {
        listeners.add(l);
    }

    /** Repairs queued or running. */
    int pending() {
        return pending.get();
    }

    void submit(Runnable task) {
        pending.incrementAndGet();
        if (!queue.offer(task)) {
            pending.decrementAndGet();
            LOG.debug("Repair queue full; a replica is repaired at the session's next write instead");
        }
    }

    /** A read repair: {@code value} onto one node, only where it is newer than what that node holds by then. */
    void copyTo(Node n, String key, byte[] value) {
        submit(() -> {
            try {
                CopyOrder order = cluster.order;
                PendingWrite w = new ConditionalWrite(cluster, key, value, order.expiryOf(value),
                        Collections.singletonList(n), null, order.isTombstone(value));
                if (w.await() == WriteResult.STORED) {
                    cluster.stats.replicaRepairs.increment();
                }
            } catch (StoreException e) {
                // remembered by the write: repaired when the node is back
            }
        });
    }

    /** Copies the newest copy of {@code key} to the nodes that should hold it and do not. */
    void repairKey(String key) {
        submit(() -> repairKey.test(key));
    }

    /** Replays what {@code n} missed, then tells the listeners it is back ({@code emptied}: it lost its data). */
    void announce(Node n, boolean emptied) {
        submit(() -> {
            replay(n);
            for (StoreListener l : listeners) {
                try {
                    l.nodeRecovered(n.address, emptied);
                } catch (Throwable e) {
                    LOG.warn("Rewriting sessions to Memcached {} failed: {}", n.address, e.toString());
                }
            }
        });
    }

    /** The deletes, tombstones and writes {@code n} missed, in that order, on the calling thread. */
    void replay(Node n) {
        n.missedOverflow = false;
        // Tombstones and deletes first: a copy it missed must never land after the end of its session.
        for (Iterator<Map.Entry<String, Integer>> it = n.deletes.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Integer> e = it.next();
            String key = e.getKey();
            int tombstoneSeconds = e.getValue();
            it.remove();
            try {
                if (tombstoneSeconds < 0) {
                    n.call(c -> c.delete(key), "delete");
                } else {
                    byte[] stone = cluster.order.tombstone(tombstoneSeconds);
                    new ConditionalWrite(cluster, key, stone, cluster.order.expiryOf(stone),
                            Collections.singletonList(n), null, true).await();
                }
            } catch (StoreException e2) {
                n.deleteLater(key, tombstoneSeconds);
                return;
            }
        }
        for (Iterator<String> it = n.missed.iterator(); it.hasNext(); ) {
            String key = it.next();
            it.remove();
            repairKey.test(key);
        }
    }

    private void run() {
        while (!cluster.closed) {
            try {
                Runnable r = queue.poll(500, TimeUnit.MILLISECONDS);
                if (r != null) {
                    try {
                        r.run();
                    } finally {
                        pending.decrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                LOG.debug("Replica repair failed: {}", e.toString());
            }
        }
    }

    void close() {
        thread.interrupt();
    }
}
