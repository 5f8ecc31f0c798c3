package io.sessionmirror.agent.core;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The requests in progress that may still write a session, so a shutdown can wait for their writes
 * (see {@link ShutdownDrain}). Counted once per thread: {@link #enter()} on a thread already inside a
 * request, or {@link #exit()} on one that is not, changes nothing, so every family may report the start
 * and the end of a request at whichever of its hooks comes first and last.
 *
 * <p>Where the families report them ({@link SessionMirror}):
 * <ul>
 *   <li>enter: Tomcat's request start (every request); any session lookup made for a request (Jetty's
 *       lookup by id, Undertow's, which also runs before a request creates a session); Jetty's session
 *       creation (a first request makes no lookup there); and the release of a session, so the write it
 *       triggers is covered even when nothing came first.</li>
 *   <li>exit: after the session's release has written or queued its change; at the end of a request
 *       that holds no session (Tomcat's request end, Undertow's response end). A request that holds a
 *       session is left when the session is released, which for Jetty and Undertow comes only after the
 *       response is complete, and for Tomcat just after its request end.</li>
 * </ul>
 * A request whose end a family does not report on the same thread (a servlet's async processing), or
 * does not report at all (Jetty cuts the requests in progress when it stops without a graceful
 * timeout), stays counted until that thread's next request ends, or until the thread dies: a stopping
 * server ends its pool's threads, and {@link #pruneDead()} drops those. At worst a shutdown waits until
 * its timeout; it never closes under a request it still counts.
 */
public final class InFlightRequests {

    /** One per thread that ever ran a request, registered once: entering and leaving then allocate nothing. */
    private static final class Slot {
        final Thread thread = Thread.currentThread();
        final AtomicBoolean inside = new AtomicBoolean();
    }

    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(this::register);
    private final AtomicInteger active = new AtomicInteger();
    /** Every thread's slot: one whose thread died inside a request ended that request, reported or not. */
    private final java.util.Set<Slot> registered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Every enter: a shutdown's quiet period starts again when it moves. */
    private final LongAdder entered = new LongAdder();
    final ChangeSignal idle = new ChangeSignal();

    private Slot register() {
        Slot slot = new Slot();
        // A new thread is rare (a pool grows or renews its threads): the slots of dead ones are dropped then.
        pruneDead();
        registered.removeIf(s -> !s.thread.isAlive());
        registered.add(slot);
        return slot;
    }

    /** This thread runs a request that may write a session. */
    public void enter() {
        Slot slot = slots.get();
        if (!slot.inside.get() && slot.inside.compareAndSet(false, true)) {
            active.incrementAndGet();
            entered.increment();
        }
    }

    /** This thread's request has written or queued what it changed (or never had a session). */
    public void exit() {
        Slot slot = slots.get();
        if (slot.inside.get() && slot.inside.compareAndSet(true, false) && active.decrementAndGet() == 0) {
            idle.signal();
        }
    }

    /** Stops counting threads that have died inside a request; returns how many. */
    int pruneDead() {
        int pruned = 0;
        for (Slot s : registered) {
            if (!s.thread.isAlive() && s.inside.compareAndSet(true, false)) {
                pruned++;
                if (active.decrementAndGet() == 0) {
                    idle.signal();
                }
            }
        }
        return pruned;
    }

    /** The names of the threads counted now, for a log line. */
    String threadNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Slot s : registered) {
            if (s.inside.get()) {
                names.add(s.thread.getName());
            }
        }
        return String.join(", ", names);
    }

    /** Whether this thread is inside a counted request. */
    public boolean inside() {
        return slots.get().inside.get();
    }

    /** Requests in progress. */
    public int active() {
        return active.get();
    }

    /** How many requests have entered since start: a change means the server is still serving. */
    public long entered() {
        return entered.sum();
    }
}
