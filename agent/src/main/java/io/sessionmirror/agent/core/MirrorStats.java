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

    public String summary() {
        long n = requests.sum();
        long hits = loadHits.sum();
        long misses = loadMisses.sum();
        long w = writes.sum();
        return String.format("requests with a session %d (agent time on the request thread avg %.1f us), writes %d"
                        + " (avg %d bytes), unchanged %d, touches %d, loads %d hit / %d miss (avg %.1f us), deletes %d,"
                        + " failures %d, attributes skipped %d",
                n, n == 0 ? 0.0 : requestNanos.sum() / 1000.0 / n, w, w == 0 ? 0 : writeBytes.sum() / w,
                unchanged.sum(), touches.sum(), hits, misses,
                hits + misses == 0 ? 0.0 : loadNanos.sum() / 1000.0 / (hits + misses), deletes.sum(), failures.sum(),
                skippedAttributes.sum());
    }
}
