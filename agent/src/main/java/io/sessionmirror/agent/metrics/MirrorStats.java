package io.sessionmirror.agent.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters for what the agent did: one set for the agent, one per web app whose every count also goes to
 * the agent's. Read by the JMX MBeans, the Prometheus endpoint, the periodic summary and the stop summary.
 */
public final class MirrorStats {

    /** A counter that also counts in its parent's. */
    private static final class Tee extends LongAdder {
        private static final long serialVersionUID = 1L;
        private final transient LongAdder parent;

        Tee(LongAdder parent) {
            this.parent = parent;
        }

        @Override
        public void add(long x) {
            super.add(x);
            parent.add(x);
        }
    }

    private static LongAdder adder(MirrorStats parent, java.util.function.Function<MirrorStats, LongAdder> field) {
        return parent == null ? new LongAdder() : new Tee(field.apply(parent));
    }

    /** Time to write one session to Memcached (every copy), from the writer's start to the last answer. */
    public final Histogram writeNanos;
    /** Time to serialize one session (snapshot and encode, signing and encryption included). */
    public final Histogram serializeNanos;
    /** Failures by cause: Memcached did not answer or failed; a session could not be serialized; the queue was full. */
    public final LongAdder storeFailures;
    public final LongAdder serializeFailures;
    public final LongAdder queueFull;
    /** Throwables a hook threw that the bridge swallowed (the request went on without the agent there). */
    public final LongAdder hookFailures;

    public MirrorStats() {
        this(null);
    }

    public MirrorStats(MirrorStats parent) {
        requests = adder(parent, s -> s.requests);
        requestNanos = adder(parent, s -> s.requestNanos);
        writes = adder(parent, s -> s.writes);
        writeBytes = adder(parent, s -> s.writeBytes);
        unchanged = adder(parent, s -> s.unchanged);
        touches = adder(parent, s -> s.touches);
        loadHits = adder(parent, s -> s.loadHits);
        loadMisses = adder(parent, s -> s.loadMisses);
        loadNanos = adder(parent, s -> s.loadNanos);
        deletes = adder(parent, s -> s.deletes);
        failures = adder(parent, s -> s.failures);
        skippedAttributes = adder(parent, s -> s.skippedAttributes);
        replicaRepairs = adder(parent, s -> s.replicaRepairs);
        recoveryWrites = adder(parent, s -> s.recoveryWrites);
        nodeOutages = adder(parent, s -> s.nodeOutages);
        staleRefreshes = adder(parent, s -> s.staleRefreshes);
        lockWaits = adder(parent, s -> s.lockWaits);
        lockTimeouts = adder(parent, s -> s.lockTimeouts);
        lostLocks = adder(parent, s -> s.lostLocks);
        rejectedEntries = adder(parent, s -> s.rejectedEntries);
        oversizedSessions = adder(parent, s -> s.oversizedSessions);
        refusedWrites = adder(parent, s -> s.refusedWrites);
        droppedTombstones = adder(parent, s -> s.droppedTombstones);
        storeFailures = adder(parent, s -> s.storeFailures);
        serializeFailures = adder(parent, s -> s.serializeFailures);
        queueFull = adder(parent, s -> s.queueFull);
        hookFailures = adder(parent, s -> s.hookFailures);
        writeNanos = new Histogram(parent == null ? null : parent.writeNanos);
        serializeNanos = new Histogram(parent == null ? null : parent.serializeNanos);
    }

    public final LongAdder requests;
    public final LongAdder requestNanos;
    public final LongAdder writes;
    public final LongAdder writeBytes;
    public final LongAdder unchanged;
    public final LongAdder touches;
    public final LongAdder loadHits;
    public final LongAdder loadMisses;
    public final LongAdder loadNanos;
    public final LongAdder deletes;
    public final LongAdder failures;
    public final LongAdder skippedAttributes;
    /** Copies written to a node that had lost or missed them (read repair, node recovery). */
    public final LongAdder replicaRepairs;
    /** Sessions written again because a node came back after an outage or restart. */
    public final LongAdder recoveryWrites;
    /** Times a node's circuit breaker opened. */
    public final LongAdder nodeOutages;
    /** Non-sticky mode: local copies replaced by a newer stored version. */
    public final LongAdder staleRefreshes;
    public final LongAdder lockWaits;
    public final LongAdder lockTimeouts;
    /** Session locks found expired (and maybe taken by another server) while their request still ran. */
    public final LongAdder lostLocks;
    /** Stored values refused before deserialization: unsigned, bad signature, unknown secret, denied class. */
    public final LongAdder rejectedEntries;
    /** Writes skipped because the session was larger than max.size. */
    public final LongAdder oversizedSessions;
    /**
     * Writes Memcached refused because it held a newer copy or the session's tombstone (ended elsewhere, or
     * an older copy written by a server that had not seen the newer one): never written over it.
     */
    public final LongAdder refusedWrites;
    /** Tombstones a down node missed beyond what can be remembered for it: those ends are not replayed there. */
    public final LongAdder droppedTombstones;

    public String summary() {
        long n = requests.sum();
        long hits = loadHits.sum();
        long misses = loadMisses.sum();
        long w = writes.sum();
        return String.format("requests with a session %d (agent time on the request thread avg %.1f us), writes %d"
                        + " (avg %d bytes), unchanged %d, touches %d, loads %d hit / %d miss (avg %.1f us), deletes %d,"
                        + " failures %d, attributes skipped %d, replica repairs %d, recovery writes %d, node outages %d,"
                        + " stale local copies refreshed %d, lock waits %d, lock timeouts %d, rejected entries %d, oversized sessions %d, refused writes %d, dropped tombstones %d, lost locks %d",
                n, n == 0 ? 0.0 : requestNanos.sum() / 1000.0 / n, w, w == 0 ? 0 : writeBytes.sum() / w,
                unchanged.sum(), touches.sum(), hits, misses,
                hits + misses == 0 ? 0.0 : loadNanos.sum() / 1000.0 / (hits + misses), deletes.sum(), failures.sum(),
                skippedAttributes.sum(), replicaRepairs.sum(), recoveryWrites.sum(), nodeOutages.sum(),
                staleRefreshes.sum(), lockWaits.sum(), lockTimeouts.sum(), rejectedEntries.sum(), oversizedSessions.sum(),
                refusedWrites.sum(), droppedTombstones.sum(), lostLocks.sum());
    }
}
