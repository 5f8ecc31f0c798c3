package io.sessionmirror.it;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waiting for a condition that nothing signals (a value in memcached, a counter of another process, a port):
 * check it, and check again shortly after, until it holds or the deadline passes. The one place the tests step
 * between two checks; everything they can be told about (a latch, a log line read as it grows, a counter of their
 * own) they wait for directly instead.
 */
public final class Poll {

    /** Pause between two checks: short against any deadline, long enough not to load the machine. */
    private static final long STEP_MILLIS = 20;

    private Poll() {
    }

    /** Waits until {@code done} is true; fails naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, Callable<Boolean> done) throws Exception {
        untilNothingPending(timeout, () -> done.call() ? null : what);
    }

    /**
     * Waits until {@code pending} answers null (nothing left to wait for); fails after {@code timeout} with its
     * last answer, which says what was still missing.
     */
    public static void untilNothingPending(Duration timeout, Callable<String> pending) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String missing = pending.call();
            if (missing == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + missing);
            }
            Thread.sleep(STEP_MILLIS);
        }
    }
}
