package io.sessionmirror.agent.core;

import java.util.concurrent.atomic.LongAdder;

/** Counters for what the agent did; summarised in the log at shutdown (and later exposed over JMX). */
public final class MirrorStats {

    public final LongAdder requests = new LongAdder();
    public final LongAdder requestNanos = new LongAdder();
    public final LongAdder writes = new LongAdder();
    public final LongAdder writeBytes = new LongAdder();
    public final LongAdder unchanged = new LongAdder();
    public final LongAdder touches = new LongAdder();
    public final LongAdder loadHits = new LongAdder();
    public final LongAdder loadMisses = new LongAdder();
    public final LongAdder loadNanos = new LongAdder();
    public final LongAdder deletes = new LongAdder();
    public final LongAdder failures = new LongAdder();
    public final LongAdder skippedAttributes = new LongAdder();
    /** Copies written to a node that had lost or missed them (read repair, node recovery). */
    public final LongAdder replicaRepairs = new LongAdder();
    /** Sessions written again because a node came back after an outage or restart. */
    public final LongAdder recoveryWrites = new LongAdder();
    /** Times a node's circuit breaker opened. */
    public final LongAdder nodeOutages = new LongAdder();
    /** Non-sticky mode: local copies replaced by a newer stored version. */
    public final LongAdder staleRefreshes = new LongAdder();
    public final LongAdder lockWaits = new LongAdder();
    public final LongAdder lockTimeouts = new LongAdder();
    /** Stored values refused before deserialization: unsigned, bad signature, unknown secret, denied class. */
    public final LongAdder rejectedEntries = new LongAdder();
    /** Writes skipped because the session was larger than max.size. */
    public final LongAdder oversizedSessions = new LongAdder();

    public String summary() {
        long n = requests.sum();
        long hits = loadHits.sum();
        long misses = loadMisses.sum();
        long w = writes.sum();
        return String.format("requests with a session %d (agent time on the request thread avg %.1f us), writes %d"
                        + " (avg %d bytes), unchanged %d, touches %d, loads %d hit / %d miss (avg %.1f us), deletes %d,"
                        + " failures %d, attributes skipped %d, replica repairs %d, recovery writes %d, node outages %d,"
                        + " stale local copies refreshed %d, lock waits %d, lock timeouts %d, rejected entries %d, oversized sessions %d",
                n, n == 0 ? 0.0 : requestNanos.sum() / 1000.0 / n, w, w == 0 ? 0 : writeBytes.sum() / w,
                unchanged.sum(), touches.sum(), hits, misses,
                hits + misses == 0 ? 0.0 : loadNanos.sum() / 1000.0 / (hits + misses), deletes.sum(), failures.sum(),
                skippedAttributes.sum(), replicaRepairs.sum(), recoveryWrites.sum(), nodeOutages.sum(),
                staleRefreshes.sum(), lockWaits.sum(), lockTimeouts.sum(), rejectedEntries.sum(), oversizedSessions.sum());
    }
}
