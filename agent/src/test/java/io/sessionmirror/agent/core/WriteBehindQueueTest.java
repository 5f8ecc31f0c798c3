package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteBehindQueueTest {

    private final List<String> done = new CopyOnWriteArrayList<>();
    private final List<String> dropped = new CopyOnWriteArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    /** Counted down when the worker has taken the blocking task (so it no longer occupies the queue). */
    private final CountDownLatch blocking = new CountDownLatch(1);
    private WriteBehindQueue queue;

    private class Op extends WriteBehindQueue.Task {
        final String what;
        final boolean isTouch;

        Op(String key, String what, boolean isTouch) {
            super(key);
            this.what = what;
            this.isTouch = isTouch;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return !isTouch || ((Op) older).isTouch;
        }

        @Override
        protected void run() throws Exception {
            if (what.equals("block")) {
                blocking.countDown();
                gate.await(5, TimeUnit.SECONDS);
            }
            if (what.equals("boom")) {
                throw new IllegalStateException("boom");
            }
            done.add(key + ":" + what);
        }

        @Override
        protected void failed(String why) {
            done.add(key + ":failed:" + why);
        }

        @Override
        protected void dropped() {
            dropped.add(key + ":" + what);
        }
    }

    @AfterEach
    void stop() {
        gate.countDown();
        queue.stop();
    }

    @Test
    void newerWriteSupersedesPendingOneButTouchDoesNot() {
        queue = new WriteBehindQueue(100);
        assertTrue(queue.submit(new Op("blocker", "block", false)));
        assertTrue(queue.submit(new Op("s1", "v1", false)));
        assertTrue(queue.submit(new Op("s1", "v2", false)));
        assertTrue(queue.submit(new Op("s1", "touch", true)));
        assertTrue(queue.submit(new Op("s2", "touch", true)));
        assertTrue(queue.submit(new Op("s2", "touch2", true)));
        gate.countDown();
        assertTrue(queue.flush(5000));
        assertEquals(List.of("blocker:block", "s1:v2", "s2:touch2"), done);
    }

    @Test
    void aTaskThatCannotReplaceThePendingOneIsToldItWillNotRun() {
        queue = new WriteBehindQueue(100);
        assertTrue(queue.submit(new Op("blocker", "block", false)));
        assertTrue(queue.submit(new Op("s1", "write", false)));
        assertTrue(queue.submit(new Op("s1", "touch", true)), "the pending write stands for the touch");
        assertEquals(List.of("s1:touch"), dropped, "the touch knows at once that it does not run");
        gate.countDown();
        assertTrue(queue.flush(5000));
        assertEquals(List.of("blocker:block", "s1:write"), done);
        assertEquals(List.of("s1:touch"), dropped);
    }

    @Test
    void boundedAndReportsFailures() throws InterruptedException {
        queue = new WriteBehindQueue(2);
        assertTrue(queue.submit(new Op("blocker", "block", false)));
        assertTrue(blocking.await(5, TimeUnit.SECONDS), "the worker runs the blocking task");
        // The worker is stuck: exactly two tasks fit, the rest are refused.
        assertTrue(queue.submit(new Op("k0", "v", false)));
        assertTrue(queue.submit(new Op("k1", "v", false)));
        assertFalse(queue.submit(new Op("k2", "v", false)));
        assertFalse(queue.submit(new Op("late", "v", false)));
        gate.countDown();
        assertTrue(queue.flush(5000));
        assertTrue(queue.submit(new Op("x", "boom", false)));
        assertTrue(queue.flush(5000));
        assertTrue(done.contains("x:failed:boom"), done.toString());
        assertEquals(0, queue.depth());
    }

    /** A task that, like a Memcached set, is started first and waited for later. */
    private class Pipelined extends WriteBehindQueue.Task {
        final String what;

        Pipelined(String key, String what) {
            super(key);
            this.what = what;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return true;
        }

        @Override
        protected void run() {
            throw new AssertionError("the queue begins and completes a pipelined task");
        }

        @Override
        protected Object begin() {
            if (what.equals("refused")) {
                throw new IllegalStateException("refused at start");
            }
            done.add("begin " + key + ":" + what);
            return what;
        }

        @Override
        protected void complete(Object begun) {
            if (begun.equals("late-failure")) {
                throw new IllegalStateException("no answer");
            }
            done.add("complete " + key + ":" + begun);
        }

        @Override
        protected void failed(String why) {
            done.add("failed " + key + ":" + why);
        }
    }

    @Test
    void startsEverythingThatWaitsBeforeWaitingForAnyAndKeepsEachKeysOrder() throws InterruptedException {
        queue = new WriteBehindQueue(100);
        assertTrue(queue.submit(new Op("blocker", "block", false)));
        assertTrue(blocking.await(5, TimeUnit.SECONDS));
        // Accumulated while the worker is busy: one batch.
        assertTrue(queue.submit(new Pipelined("a", "1")));
        assertTrue(queue.submit(new Pipelined("b", "1")));
        assertTrue(queue.submit(new Pipelined("c", "late-failure")));
        assertTrue(queue.submit(new Pipelined("d", "refused")));
        assertTrue(queue.submit(new Pipelined("a", "2"))); // replaces a:1, still pending
        gate.countDown();
        assertTrue(queue.flush(5000));
        assertEquals(List.of("blocker:block", "begin a:2", "begin b:1", "begin c:late-failure", "failed d:refused at start",
                "complete a:2", "complete b:1", "failed c:no answer"), done);
        // A key written again after its batch started goes into the next batch, after the first completed.
        done.clear();
        assertTrue(queue.submit(new Pipelined("a", "3")));
        assertTrue(queue.flush(5000));
        assertTrue(queue.submit(new Pipelined("a", "4")));
        assertTrue(queue.flush(5000));
        assertEquals(List.of("begin a:3", "complete a:3", "begin a:4", "complete a:4"), done);
    }

    @Test
    void closedQueueRefusesAndCountsButWritesWhatItHadAccepted() throws InterruptedException {
        queue = new WriteBehindQueue(10);
        assertTrue(queue.submit(new Op("blocker", "block", false)));
        assertTrue(blocking.await(5, TimeUnit.SECONDS), "the worker runs the blocking task");
        assertTrue(queue.submit(new Op("s1", "v1", false)));
        queue.close();
        assertFalse(queue.submit(new Op("s2", "v1", false)));
        assertFalse(queue.submit(new Op("s1", "v2", false)));
        assertEquals(2, queue.refused());
        gate.countDown();
        assertTrue(queue.flush(5000));
        assertEquals(0, queue.stop(5000));
        assertEquals(List.of("blocker:block", "s1:v1"), done);
        assertEquals(2, queue.finished());
    }

    @Test
    void stopCountsWhatItLeavesUnwritten() throws InterruptedException {
        queue = new WriteBehindQueue(10);
        assertTrue(queue.submit(new Op("blocker", "block", false)));
        assertTrue(blocking.await(5, TimeUnit.SECONDS), "the worker runs the blocking task");
        assertTrue(queue.submit(new Op("s1", "v1", false)));
        assertTrue(queue.submit(new Op("s2", "v1", false)));
        assertFalse(queue.flush(50), "the worker is stuck");
        gate.countDown(); // the blocking task ends; the worker then stops instead of taking more
        int left = queue.stop(5000);
        assertEquals(2, left + done.size() - 1, "every task is either done or counted as left: " + done);
    }

    // ---------------------------------------------------------------- tasks held back until their time (write.interval)

    private Op later(String key, String what, long millisFromNow) {
        Op op = new Op(key, what, false);
        op.notBefore = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millisFromNow);
        return op;
    }

    @Test
    void aTaskHeldBackForItsTimeLetsOtherKeysPassAndRunsWhenTheShutdownClosesTheQueue() {
        queue = new WriteBehindQueue(10);
        assertTrue(queue.submit(later("a", "held", 60_000)));
        assertTrue(queue.submit(new Op("b", "now", false)));
        assertTrue(queue.flush(50) == false, "the held task keeps the queue busy");
        assertEquals(List.of("b:now"), done, "b passed a; a waits for its time");
        queue.close(); // a shutdown: nothing waits for its time any more
        assertTrue(queue.flush(5000));
        assertEquals(List.of("b:now", "a:held"), done);
    }

    @Test
    void aTaskThatReplacesAHeldBackOneRunsAtItsOwnTime() {
        queue = new WriteBehindQueue(10);
        Op held = later("a", "held", 60_000);
        assertTrue(queue.submit(held));
        assertTrue(queue.submit(new Op("a", "end", false))); // a tombstone does not wait for the write's interval
        assertTrue(queue.flush(5000), "the replacing task ran without waiting a minute");
        assertEquals(List.of("a:end"), done);
    }

    @Test
    void aHeldBackTaskMovedEarlierAndWokenRunsAtOnce() {
        queue = new WriteBehindQueue(10);
        Op held = later("a", "held", 60_000);
        assertTrue(queue.submit(held));
        assertFalse(queue.flush(50));
        held.notBefore = 0;
        queue.wake(held);
        assertTrue(queue.flush(5000));
        assertEquals(List.of("a:held"), done);
    }

    @Test
    void aTaskIsRunNoEarlierThanItsTime() {
        queue = new WriteBehindQueue(10);
        long t0 = System.nanoTime();
        Op op = later("a", "soon", 300);
        long due = op.notBefore;
        List<Long> ranAt = new CopyOnWriteArrayList<>();
        assertTrue(queue.submit(new Op("a", "x", false) {
            {
                notBefore = due;
            }

            @Override
            protected void run() {
                ranAt.add(System.nanoTime());
            }
        }));
        assertTrue(queue.flush(5000));
        assertEquals(1, ranAt.size());
        assertTrue(ranAt.get(0) - due >= 0, "ran " + (due - ranAt.get(0)) + " ns early (" + (ranAt.get(0) - t0) + " ns)");
    }
}
