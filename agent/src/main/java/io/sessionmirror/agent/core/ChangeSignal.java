package io.sessionmirror.agent.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wakes a thread that waits for a condition to change (a count reaching zero, a queue becoming idle).
 * The hot path pays one volatile read when nobody waits. No wake-up is lost: a waiter takes the
 * {@link #version()} before it checks its condition and sleeps only if no signal came since.
 */
final class ChangeSignal {

    private final AtomicInteger waiters = new AtomicInteger();
    private long version;

    /** Something a waiter may be waiting for has changed. */
    void signal() {
        if (waiters.get() > 0) {
            synchronized (this) {
                version++;
                notifyAll();
            }
        }
    }

    /** Registers a waiter; call before {@link #version()} and the check of the condition, undo with {@link #leave()}. */
    void join() {
        waiters.incrementAndGet();
    }

    void leave() {
        waiters.decrementAndGet();
    }

    synchronized long version() {
        return version;
    }

    /** Sleeps until a signal newer than {@code seen}, or {@code nanos} have passed, or an interrupt. */
    synchronized void await(long seen, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (version == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
    }
}
