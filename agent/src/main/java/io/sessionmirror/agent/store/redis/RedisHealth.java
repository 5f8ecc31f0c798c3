package io.sessionmirror.agent.store.redis;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.store.StoreListener;
import io.sessionmirror.agent.support.AgentLog;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The circuit breaker of a Redis store, and its probe. {@value #FAILURES_TO_OPEN} failed calls in a row open
 * the circuit: calls then fail at once, without waiting for a timeout, until the probe (a daemon thread asking
 * the server for its run id once a second) gets an answer. The run id also tells a server that restarted or was
 * replaced by a failover: it came back without (some of) what was written, and the listeners are told to write
 * their sessions again. Tombstones that could not be written while Redis was away are written first.
 */
final class RedisHealth {

    static final int FAILURES_TO_OPEN = 3;
    private static final long PROBE_MILLIS = 1000;
    /** Missed tombstones remembered for replay; beyond that the core's own records (EndedKeys) have them. */
    private static final int MAX_MISSED = 100_000;

    private static final Logger LOG = AgentLog.get();

    /** What the probe asks: connect if need be, then the incarnation of the server(s) answering. */
    interface Target {
        String incarnation() throws Exception;

        String describe();

        /** Writes a tombstone that was missed (on the repair thread). */
        void replayTombstone(String key, int seconds) throws StoreException;
    }

    private final Target target;
    private final Counters stats;
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong rounds = new AtomicLong();
    final Map<String, Integer> missedTombstones = new ConcurrentHashMap<>();
    private final Thread prober;
    volatile boolean open;
    /** Whether a call failed since the server last answered: its first answer is then announced. */
    private volatile boolean hadTrouble;
    private volatile String incarnation;
    private volatile boolean closed;
    /** The thread telling the listeners that the server changed, while it does (see RedisStore#repairKey). */
    volatile Thread announcingChange;
    /**
     * Why the server refuses us (a login it refused), once the store has said so; null otherwise. Not an outage:
     * the circuit opens without another warning, and the calls it skips say why.
     */
    volatile String refused;
    /** Addresses the listeners are told about (the store's nodes). */
    volatile List<NodeAddress> addresses;

    RedisHealth(Target target, Counters stats, List<NodeAddress> addresses) {
        this.target = target;
        this.stats = stats;
        this.addresses = addresses;
        this.prober = new Thread(this::run, "session-mirror-redis-probe");
        prober.setDaemon(true);
    }

    void start() {
        prober.start();
    }

    void addListener(StoreListener l) {
        listeners.add(l);
    }

    /** Fails at once while the circuit is open. */
    void check(String op) throws StoreException {
        if (open) {
            String why = refused;
            throw new StoreException("Redis " + target.describe() + (why != null ? " refuses the login" : " is not answering")
                    + "; skipped (" + op + ") until it " + (why != null ? "accepts it" : "answers again"));
        }
    }

    void answered() {
        failures.set(0);
    }

    /** One more failure in a row: at {@link #FAILURES_TO_OPEN} the circuit opens. */
    void failed(String op, String why) {
        hadTrouble = true;
        if (failures.incrementAndGet() >= FAILURES_TO_OPEN && !open) {
            open = true;
            stats.nodeOutages.increment();
            if (refused != null) {
                return; // the store said it once already, with what to fix
            }
            LOG.warn("Redis {} is not answering ({}: {}); calls fail at once until it answers again. Sessions stay on"
                    + " this server meanwhile.", target.describe(), op, why);
        }
    }

    void missedTombstone(String key, int seconds) {
        hadTrouble = true;
        if (missedTombstones.size() < MAX_MISSED || missedTombstones.containsKey(key)) {
            missedTombstones.merge(key, seconds, Math::max);
        }
    }

    long rounds() {
        return rounds.get();
    }

    private void run() {
        while (!closed) {
            try {
                probe();
            } catch (Throwable e) {
                LOG.debug("Probing Redis {} failed: {}", target.describe(), e.toString());
            }
            rounds.incrementAndGet();
            try {
                Thread.sleep(PROBE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void probe() {
        String now;
        try {
            now = target.incarnation();
        } catch (Exception e) {
            failed("probe", e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()); // e.g. a TimeoutException
            return;
        }
        boolean wasOpen = open;
        String previous = incarnation;
        boolean firstSight = previous == null;
        boolean changed = previous != null && !previous.equals(now);
        incarnation = now;
        failures.set(0);
        if (wasOpen) {
            open = false;
            LOG.info("Redis {} answers again{}", target.describe(), changed
                    ? " (another server process: restarted or failed over, it may lack recent writes)" : "");
        } else if (changed) {
            LOG.warn("Redis {} is another server process now (restarted or failed over; it may lack recent writes);"
                    + " writing this server's sessions again", target.describe());
        }
        if (wasOpen || changed || firstSight && hadTrouble) {
            hadTrouble = false;
            announce(changed || firstSight);
        } else if (!missedTombstones.isEmpty()) {
            replayTombstones();
        }
    }

    /** Replays missed tombstones, then tells every listener (on this thread: the probe waits for the rewrite). */
    void announce(boolean emptied) {
        if (!replayTombstones()) {
            return; // failed again: announced at the next recovery
        }
        if (emptied) {
            announcingChange = Thread.currentThread();
        }
        try {
            for (StoreListener l : listeners) {
                try {
                    l.nodeRecovered(addresses.get(0), emptied); // the store is one logical node
                } catch (Throwable e) {
                    LOG.warn("Rewriting sessions to Redis {} failed: {}", target.describe(), e.toString());
                }
            }
        } finally {
            announcingChange = null;
        }
    }

    private boolean replayTombstones() {
        for (Map.Entry<String, Integer> e : missedTombstones.entrySet()) {
            try {
                target.replayTombstone(e.getKey(), e.getValue());
                missedTombstones.remove(e.getKey(), e.getValue());
            } catch (StoreException failed) {
                hadTrouble = true;
                return false;
            }
        }
        return true;
    }

    void close() {
        closed = true;
        prober.interrupt();
    }
}
