package io.sessionmirror.agent.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memcached work taken off request threads. Bounded, and keyed by Memcached key: a newer write of a
 * session replaces a pending older one (only the newest state matters), a delete replaces anything
 * pending, and a touch never replaces a pending write. One daemon thread drains it in order.
 */
public final class WriteBehindQueue {

    /** One unit of Memcached work for one key. */
    public abstract static class Task {
        final String key;

        protected Task(String key) {
            this.key = key;
        }

        /** Whether this task makes an older pending task for the same key unnecessary. */
        protected abstract boolean supersedes(Task older);

        protected abstract void run() throws Exception;

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
                if (size.get() >= capacity) {
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
        while (running || !order.isEmpty()) {
            String key;
            try {
                key = order.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                continue;
            }
            if (key == null) {
                continue;
            }
            inFlight.incrementAndGet();
            try {
                Task t = pending.remove(key);
                if (t == null) {
                    continue;
                }
                size.decrementAndGet();
                try {
                    t.run();
                } catch (Throwable e) {
                    try {
                        t.failed(e.getMessage() == null ? e.toString() : e.getMessage());
                    } catch (Throwable ignored) {
                        // keep draining
                    }
                }
            } finally {
                inFlight.decrementAndGet();
            }
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
