package io.sessionmirror.agent.core;

import io.sessionmirror.agent.support.AgentLog;
import java.util.PriorityQueue;
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
        /**
         * Not to be run before this {@link System#nanoTime} (0: at once); a shutdown's {@link #close} runs everything
         * at once. May be moved earlier while queued, followed by {@link #wake}.
         */
        volatile long notBefore;
        /** The due time a wake-up is already planned for (writer thread only). */
        long plannedFor;

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

        /**
         * Called when this task will not run: a newer task of the same key replaced it while it waited, or it was
         * not queued because it does not {@link #supersedes supersede} the task its key has pending (a write
         * behind a tombstone). {@link #submit} still returns true then: the pending task stands for it.
         */
        protected void dropped() {
            // nothing to undo by default
        }
    }

    /** A planned look at a key whose task is not due yet (writer thread only). */
    private static final class WakeUp {
        final long due;
        final String key;

        WakeUp(long due, String key) {
            this.due = due;
            this.key = key;
        }
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
    /** Keys whose task waits for its {@link Task#notBefore}, earliest first (writer thread only). */
    private final PriorityQueue<WakeUp> later = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));

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
        boolean[] look = {false};
        boolean[] rejected = {false};
        Task[] replaced = {null};
        boolean[] kept = {false};
        pending.compute(task.key, (k, older) -> {
            if (older == null) {
                if (size.get() >= capacity && !task.exemptFromCapacity()) {
                    rejected[0] = true;
                    return null;
                }
                size.incrementAndGet();
                look[0] = true;
                return task;
            }
            if (!task.supersedes(older)) {
                kept[0] = older != task;
                return older;
            }
            replaced[0] = older;
            // The older one may wait for a later time than this one (a tombstone replacing a write held back by
            // write.interval): the key is looked at again now.
            look[0] = task.notBefore - older.notBefore < 0;
            return task;
        });
        if (rejected[0]) {
            return false;
        }
        if (replaced[0] != null && replaced[0] != task) {
            replaced[0].dropped();
        }
        if (kept[0]) {
            task.dropped(); // e.g. a snapshot of a key whose tombstone waits: the session must not count it as queued
        }
        if (look[0]) {
            order.add(task.key);
        }
        submitted.increment();
        return true;
    }

    /** {@code task}, queued, became due earlier (its {@link Task#notBefore} was moved): it is looked at now. */
    public void wake(Task task) {
        order.add(task.key);
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
        order.add(""); // wakes the worker, which now runs what waits for its time at once
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
            keys.clear();
            try {
                if (!collect(keys)) {
                    continue;
                }
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                continue;
            }
            inFlight.addAndGet(keys.size());
            try {
                long now = System.nanoTime();
                int n = 0;
                for (String key : keys) {
                    Task t = takeDue(key, now);
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

    /**
     * Gathers up to {@link #BATCH} distinct keys to look at: those submitted or woken, and those whose planned time
     * has come. Waits for the first (at most until the next planned time, or 200 ms); false when none came.
     */
    private boolean collect(java.util.ArrayList<String> keys) throws InterruptedException {
        long now = System.nanoTime();
        WakeUp next = later.peek();
        long waitNanos = next == null ? TimeUnit.MILLISECONDS.toNanos(200)
                : hurry() ? 0 : Math.min(TimeUnit.MILLISECONDS.toNanos(200), next.due - now);
        String first = waitNanos <= 0 ? order.poll() : order.poll(waitNanos, TimeUnit.NANOSECONDS);
        if (first != null) {
            keys.add(first);
            order.drainTo(keys, BATCH - 1);
        }
        now = System.nanoTime();
        while (keys.size() < BATCH && (next = later.peek()) != null && (hurry() || next.due - now <= 0)) {
            keys.add(later.poll().key);
        }
        // One key at most once per batch: its writes then land in the order they were taken.
        for (int i = keys.size() - 1; i > 0; i--) {
            if (keys.subList(0, i).contains(keys.get(i))) {
                keys.remove(i);
            }
        }
        return !keys.isEmpty();
    }

    /** The task of {@code key} if it is due (taken out of the queue), else null (a wake-up planned when it is). */
    private Task takeDue(String key, long now) {
        while (true) {
            Task t = pending.get(key);
            if (t == null) {
                return null;
            }
            long due = t.notBefore;
            if (due != 0 && due - now > 0 && !hurry()) {
                if (t.plannedFor != due) {
                    t.plannedFor = due;
                    later.add(new WakeUp(due, key));
                }
                return null;
            }
            if (pending.remove(key, t)) {
                return t;
            }
        }
    }

    /** After the shutdown closed the queue, nothing waits for its time any more. */
    private boolean hurry() {
        return !accepting;
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
