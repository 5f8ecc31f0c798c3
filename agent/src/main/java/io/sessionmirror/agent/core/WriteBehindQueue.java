package io.sessionmirror.agent.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memcached work taken off request threads. Bounded, and keyed by Memcached key: a newer write of a
 * session replaces a pending older one (only the newest state matters), a delete replaces anything
 * pending, and a touch never replaces a pending write. One daemon thread drains it in order.
 *
 * <p>The thread takes what has accumulated, up to {@link #BATCH} keys, and starts all of them before it
 * waits for any: writes to Memcached are then pipelined (one socket write and one wake-up of the client's
 * I/O thread and of memcached for several sets) instead of a round trip each. A batch never holds one key
 * twice, so the writes of one session still land in the order they were taken.
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
    private final AtomicInteger inFlight = new AtomicInteger();

    public WriteBehindQueue(int capacity) {
        this.capacity = capacity;
        this.worker = new Thread(this::drain, "session-mirror-writer");
        worker.setDaemon(true);
        worker.start();
    }

    /** Returns false, without queueing, when the queue is full. */
    public boolean submit(Task task) {
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
        return true;
    }

    public int depth() {
        return size.get();
    }

    private void drain() {
        java.util.ArrayList<String> keys = new java.util.ArrayList<>(BATCH);
        Task[] tasks = new Task[BATCH];
        Object[] begun = new Object[BATCH];
        boolean[] started = new boolean[BATCH];
        while (running || !order.isEmpty()) {
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
            } finally {
                inFlight.addAndGet(-keys.size());
            }
        }
    }

    private static void fail(Task t, Throwable e) {
        try {
            t.failed(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (Throwable ignored) {
            // keep draining
        }
    }

    /** Waits until everything queued so far has been attempted, at most {@code timeoutMillis}. */
    public boolean flush(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (size.get() > 0 || inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    public void stop() {
        running = false;
        worker.interrupt();
    }
}
