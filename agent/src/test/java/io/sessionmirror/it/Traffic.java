package io.sessionmirror.it;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Steady load from many users: worker threads send each of their users' requests in turn (one request per
 * user at a time, as a browser tab does) and record what was acknowledged: the counter value each user last
 * saw, when, every failure, and every latency.
 */
final class Traffic implements AutoCloseable {

    private final List<Browser> users;
    private final IntFunction<String> urlOf;
    private final Thread[] workers;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final long[] acked;
    private final long[] ackedAt;
    private final List<long[]> latencies = Collections.synchronizedList(new ArrayList<>());

    /** {@code urlOf(i)}: the next URL for user i (a counter page answering {@code attr.visits}). */
    Traffic(List<Browser> users, IntFunction<String> urlOf, int threads) {
        this.users = users;
        this.urlOf = urlOf;
        this.workers = new Thread[threads];
        this.acked = new long[users.size()];
        this.ackedAt = new long[users.size()];
        for (int w = 0; w < threads; w++) {
            int worker = w;
            workers[w] = new Thread(() -> run(worker), "traffic-" + w);
            workers[w].setDaemon(true);
        }
    }

    /** Records one user's acknowledged counter (for requests sent outside the traffic, e.g. to set up). */
    void acked(int user, Map<String, String> facts) {
        synchronized (acked) {
            acked[user] = Long.parseLong(facts.get("attr.visits"));
            ackedAt[user] = System.nanoTime();
        }
    }

    Traffic start() {
        running.set(true);
        for (Thread t : workers) {
            t.start();
        }
        return this;
    }

    private void run(int worker) {
        long[] mine = new long[1 << 16];
        int n = 0;
        while (running.get()) {
            for (int i = worker; i < users.size() && running.get(); i += workers.length) {
                long t0 = System.nanoTime();
                try {
                    Map<String, String> facts = users.get(i).get(urlOf.apply(i));
                    acked(i, facts);
                    ok.incrementAndGet();
                    synchronized (ok) {
                        ok.notifyAll(); // awaitOk waits on the count itself
                    }
                } catch (Exception | AssertionError e) {
                    failed.incrementAndGet();
                    synchronized (ok) {
                        ok.notifyAll(); // a failure ends awaitOk's wait too
                    }
                    if (failures.size() < 20) {
                        failures.add(e.toString());
                    }
                }
                if (n == mine.length) {
                    latencies.add(mine);
                    mine = new long[mine.length];
                    n = 0;
                }
                mine[n++] = (System.nanoTime() - t0) / 1000;
            }
        }
        latencies.add(Arrays.copyOf(mine, n));
    }

    /** Stops the workers after their requests in flight. */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : workers) {
            t.join(60_000);
        }
    }

    long ok() {
        return ok.get();
    }

    /**
     * Waits until at least {@code count} requests were answered (a phase of traffic measured in requests served,
     * not in seconds); fails with the summary at the deadline or if a request failed meanwhile.
     */
    void awaitOk(long count, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (ok) {
            while (ok.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("only " + summary() + " within " + timeout + ", expected " + count + " ok");
                }
                ok.wait(Math.max(1, left / 1_000_000)); // woken by every answered or failed request
            }
        }
    }

    long failed() {
        return failed.get();
    }

    List<String> failures() {
        return new ArrayList<>(failures);
    }

    long acked(int user) {
        synchronized (acked) {
            return acked[user];
        }
    }

    long ackedAt(int user) {
        synchronized (acked) {
            return ackedAt[user];
        }
    }

    /** Latency percentile in microseconds (p in 0..100), over every request so far (after {@link #stop}). */
    long percentile(double p) {
        long[] all;
        synchronized (latencies) {
            int size = 0;
            for (long[] l : latencies) {
                size += l.length;
            }
            all = new long[size];
            int at = 0;
            for (long[] l : latencies) {
                System.arraycopy(l, 0, all, at, l.length);
                at += l.length;
            }
        }
        if (all.length == 0) {
            return 0;
        }
        Arrays.sort(all);
        return all[Math.min(all.length - 1, (int) Math.ceil(p / 100.0 * all.length) - 1 < 0 ? 0
                : (int) Math.ceil(p / 100.0 * all.length) - 1)];
    }

    String summary() {
        return String.format("%d requests ok, %d failed; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms", ok(), failed(),
                percentile(50) / 1000.0, percentile(99) / 1000.0, percentile(100) / 1000.0);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
