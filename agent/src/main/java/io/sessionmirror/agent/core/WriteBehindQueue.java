package io.sessionmirror.agent.core;

import io.sessionmirror.agent.support.AgentLog;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Memcached work taken off request threads. Bounded, and keyed by Memcached key: a newer write of a
 * session replaces a pending older one (only the newest state matters), a delete replaces anything
 * pending, and a touch never replaces a pending write. One daemon thread drains it in order.
 *
 * <p>The thread takes what has accumulated, up to {@link #BATCH} keys, and starts all of them before it
 * waits for any: writes to Memcached are then pipelined (one socket write and one wake-up of the client's
 * I/O thread and of memcached for several sets) instead of a round trip each. A batch never holds one key
 * twice, so the writes of one session still land in the order they were taken.
 *
 * <p>At shutdown ({@link ShutdownDrain}) it is {@link #close() closed}: from then on {@link #submit}
 * refuses (and counts) new work, while what was accepted is still written until {@link #stop()}; what
 * {@link #stop()} leaves unwritten is counted too, so nothing is dropped without a number in the log.
 */
public final class WriteBehindQueue {

    static final int BATCH = 32;

    /** One unit of Memcached work for one key. */
    public abstract static class Task {
        final String key;

        protected Task(String key) {
            this.key = key;
        }

        /** Whether this task makes an older pending task for the same key unnecessary. */
        protected abstract boolean supersedes(Task older);

        protected abstract void run() throws Exception;

        /**
         * Starts the work and returns what {@link #complete} needs to finish it, without waiting for
         * Memcached; by default it does all of the work at once.
         */
        protected Object begin() throws Exception {
            run();
            return null;
        }

        /**
         * Moves what {@link #begin} started one step on without waiting for the step it starts (a conditional
         * write: waits for its reads, starts its writes). Called for every task of a batch before any
         * {@link #complete}, so both round trips stay pipelined.
         */
        protected void advance(Object begun) throws Exception {
            // one step only
        }

        /**
         * Whether the task is queued even when the queue is full: the end of a session (a tombstone) is tiny
         * and must never be dropped, or the session could come back.
         */
        protected boolean exemptFromCapacity() {
            return false;
        }

        /** Waits for what {@link #begin} started. */
        protected void complete(Object begun) throws Exception {
            // nothing started
        }

        /** Called on the queue's thread when {@link #run()} failed. */
        protected abstract void failed(String why);
    }

    private final ConcurrentHashMap<String, Task> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> order = new LinkedBlockingQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final Thread worker;
    private volatile boolean running = true;
    private volatile boolean accepting = true;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Every accepted submit: a shutdown's quiet period starts again when it moves. */
    private final LongAdder submitted = new LongAdder();
    /** Tasks refused because the queue was closed. */
    private final LongAdder refused = new LongAdder();
    /** Tasks the worker has finished (written, or failed and reported). */
    private final LongAdder finished = new LongAdder();
    /** Tasks that failed (reported to the task). */
    private final LongAdder failed = new LongAdder();
    final ChangeSignal idle = new ChangeSignal();
    private final AtomicBoolean lateRefusalLogged = new AtomicBoolean();

    public WriteBehindQueue(int capacity) {
        this.capacity = capacity;
        this.worker = new Thread(this::drain, "session-mirror-writer");
        worker.setDaemon(true);
        worker.start();
    }

    /** Returns false, without queueing, when the queue is full or closed (counted in {@link #refused()}). */
    public boolean submit(Task task) {
        if (!accepting) {
            refused.increment();
            if (lateRefusalLogged.compareAndSet(false, true)) {
                AgentLog.get().warn("Memcached work (a session write, touch or delete) came after the shutdown closed"
                        + " the write queue and is not done; further ones are counted, not logged");
            }
            return false;
        }
        boolean[] added = {false};
        boolean[] rejected = {false};
        pending.compute(task.key, (k, older) -> {
            if (older == null) {
                if (size.get() >= capacity && !task.exemptFromCapacity()) {
                    rejected[0] = true;
                    return null;
                }
                size.incrementAndGet();
                added[0] = true;
                return task;
            }
            return task.supersedes(older) ? task : older;
        });
        if (rejected[0]) {
            return false;
        }
        if (added[0]) {
            order.add(task.key);
        }
        submitted.increment();
        return true;
    }

    public int depth() {
        return size.get();
    }

    /** Tasks taken by the worker and not finished yet. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Nothing pending and nothing being written. */
    public boolean idle() {
        return size.get() == 0 && inFlight.get() == 0;
    }

    public long submitted() {
        return submitted.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long finished() {
        return finished.sum();
    }

    public long failed() {
        return failed.sum();
    }

    /** Refuses new work from now on; what was accepted is still written (see {@link #flush}). */
    public void close() {
        accepting = false;
    }

    public boolean isClosed() {
        return !accepting;
    }

    private void drain() {
        java.util.ArrayList<String> keys = new java.util.ArrayList<>(BATCH);
        Task[] tasks = new Task[BATCH];
        Object[] begun = new Object[BATCH];
        boolean[] started = new boolean[BATCH];
        while (running) {
            String first;
            try {
                first = order.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                continue;
            }
            if (first == null) {
                continue;
            }
            keys.clear();
            keys.add(first);
            order.drainTo(keys, BATCH - 1);
            inFlight.addAndGet(keys.size());
            try {
                int n = 0;
                for (String key : keys) {
                    Task t = pending.remove(key);
                    if (t == null) {
                        continue;
                    }
                    size.decrementAndGet();
                    tasks[n] = t;
                    try {
                        begun[n] = t.begin();
                        started[n] = true;
                    } catch (Throwable e) {
                        started[n] = false;
                        fail(t, e);
                    }
                    n++;
                }
                for (int i = 0; i < n; i++) {
                    if (started[i]) {
                        try {
                            tasks[i].advance(begun[i]);
                        } catch (Throwable e) {
                            started[i] = false;
                            fail(tasks[i], e);
                        }
                    }
                }
                for (int i = 0; i < n; i++) {
                    if (started[i]) {
                        try {
                            tasks[i].complete(begun[i]);
                        } catch (Throwable e) {
                            fail(tasks[i], e);
                        }
                    }
                    tasks[i] = null;
                    begun[i] = null;
                }
                finished.add(n);
            } finally {
                inFlight.addAndGet(-keys.size());
                if (size.get() == 0) {
                    idle.signal();
                }
            }
        }
    }

    private void fail(Task t, Throwable e) {
        failed.increment();
        try {
            t.failed(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (Throwable ignored) {
            // keep draining
        }
    }

    /** Waits until everything queued so far has been attempted, at most {@code timeoutMillis}. */
    public boolean flush(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        idle.join();
        try {
            while (true) {
                long seen = idle.version();
                if (idle()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.await(seen, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            idle.leave();
        }
    }

    /**
     * Ends the worker once its current batch is done (waiting for that at most {@code joinMillis}); returns
     * how many accepted tasks are left unwritten.
     */
    public int stop(long joinMillis) {
        stop();
        try {
            worker.join(Math.max(1, joinMillis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return size.get() + inFlight.get();
    }

    /** Ends the worker once its current batch is done; what is still queued then is not written. */
    public void stop() {
        running = false;
        worker.interrupt();
    }
}
