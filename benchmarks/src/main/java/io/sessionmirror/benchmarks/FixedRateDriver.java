package io.sessionmirror.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP/1.1 load generator at a constant request rate (wrk 4.1 has no {@code -R}). Request i of the run
 * is due at {@code start + i / rate}; connection c of N sends requests c, c + N, c + 2N, ... over its own blocking
 * keep-alive socket ({@link LifecycleBenchmark.Http}). Each latency is measured from the time the request was
 * <em>due</em>, not from when it was sent: when the server (or the client) falls behind, the requests that had to
 * wait count that wait, as a user arriving at that moment would (no coordinated omission).
 */
final class FixedRateDriver {

    /** What one run measured. Latencies are sorted, in nanoseconds from the due time to the last byte read. */
    static final class Result {
        double targetRate;
        /** Measured seconds, summed over pooled runs. */
        double seconds;
        int runs = 1;
        /** From the first request's due time to the last response, summed over pooled runs. */
        double elapsedSeconds;
        int connections;
        long requests;
        long errors;
        long[] latencyNanos = new long[0];
        /** How late requests were sent (the client's own delay: a busy client or a slow previous response). */
        long[] sendDelayNanos = new long[0];

        /** Requests answered per second: below the target rate when the server or the client fell behind. */
        double achievedRate() {
            return elapsedSeconds <= 0 ? 0 : requests / elapsedSeconds;
        }

        double percentileMillis(double q) {
            return LifecycleBenchmark.percentileMillis(latencyNanos, q);
        }

        /** The runs of several rounds as one: their latencies pooled. */
        static Result pool(List<Result> runs) {
            Result p = new Result();
            p.runs = 0;
            List<long[]> latencies = new ArrayList<>();
            List<long[]> delays = new ArrayList<>();
            for (Result r : runs) {
                p.targetRate = r.targetRate;
                p.connections = r.connections;
                p.seconds += r.seconds;
                p.runs += r.runs;
                p.elapsedSeconds += r.elapsedSeconds;
                p.requests += r.requests;
                p.errors += r.errors;
                latencies.add(r.latencyNanos);
                delays.add(r.sendDelayNanos);
            }
            p.latencyNanos = concatSorted(latencies);
            p.sendDelayNanos = concatSorted(delays);
            return p;
        }
    }

    private FixedRateDriver() {
    }

    /**
     * Sends {@code rate} requests per second of GET {@code path} for {@code seconds}, over {@code connections}
     * connections; request i carries the cookie of session {@code sessionIds[i % size]}. Every connection is opened
     * (and used once, unmeasured) before the first request is due.
     */
    static Result run(int port, String path, List<String> sessionIds, double rate, int connections, double seconds)
            throws Exception {
        long total = (long) Math.floor(rate * seconds);
        double nanosPerRequest = 1e9 / rate;
        CyclicBarrier ready = new CyclicBarrier(connections + 1);
        AtomicLong startNanos = new AtomicLong();
        long[][] latencies = new long[connections][];
        long[][] delays = new long[connections][];
        long[] errors = new long[connections];
        long[] lastDone = new long[connections];
        Throwable[] failures = new Throwable[connections];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            Thread t = new Thread(() -> {
                try (LifecycleBenchmark.Http client = new LifecycleBenchmark.Http(port)) {
                    client.get("/shop/stats", null); // connects now: no measured request pays for the handshake
                    ready.await(30, TimeUnit.SECONDS);
                    ready.await(30, TimeUnit.SECONDS); // the start time is set between the two barriers
                    long start = startNanos.get();
                    int mine = (int) ((total - conn + connections - 1) / connections);
                    long[] lat = new long[Math.max(0, mine)];
                    long[] late = new long[lat.length];
                    int done = 0;
                    for (long i = conn; i < total; i += connections) {
                        long due = start + (long) (i * nanosPerRequest);
                        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                            LockSupport.parkNanos(wait); // may wake early: the loop re-checks
                        }
                        late[done] = System.nanoTime() - due;
                        if (!ok(client, path, sessionIds.get((int) (i % sessionIds.size())))) {
                            errors[conn]++;
                        }
                        lat[done++] = System.nanoTime() - due;
                    }
                    lastDone[conn] = System.nanoTime();
                    latencies[conn] = Arrays.copyOf(lat, done);
                    delays[conn] = Arrays.copyOf(late, done);
                } catch (Throwable e) {
                    failures[conn] = e;
                    ready.reset(); // nobody waits forever for a connection that failed to open
                }
            }, "fixed-rate-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            ready.await(60, TimeUnit.SECONDS);
            startNanos.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5));
            ready.await(60, TimeUnit.SECONDS);
        } catch (BrokenBarrierException | TimeoutException e) {
            for (Thread t : threads) {
                t.join(5000);
            }
            for (Throwable f : failures) {
                if (f != null && !(f instanceof BrokenBarrierException)) {
                    throw new IllegalStateException("a fixed-rate connection failed to open", f);
                }
            }
            throw new IllegalStateException("the fixed-rate connections did not open within 60 s", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos((long) seconds + 120);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new IllegalStateException("the fixed-rate run did not end 120 s after its scheduled end");
            }
        }
        for (Throwable f : failures) {
            if (f != null) {
                throw new IllegalStateException("a fixed-rate connection failed", f);
            }
        }
        Result r = new Result();
        r.targetRate = rate;
        r.seconds = seconds;
        r.connections = connections;
        r.elapsedSeconds = (Arrays.stream(lastDone).max().orElse(0) - startNanos.get()) / 1e9;
        r.latencyNanos = concatSorted(Arrays.asList(latencies));
        r.sendDelayNanos = concatSorted(Arrays.asList(delays));
        r.requests = r.latencyNanos.length;
        for (long e : errors) {
            r.errors += e;
        }
        return r;
    }

    /** One request; false for anything but a 200 (an error still took its time, which is counted). */
    private static boolean ok(LifecycleBenchmark.Http client, String path, String sessionId) {
        try {
            return client.get(path, sessionId).status == 200;
        } catch (IOException | RuntimeException e) {
            try {
                client.close(); // the next request opens a new connection
            } catch (IOException ignored) {
                // already broken
            }
            return false;
        }
    }

    private static long[] concatSorted(List<long[]> parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p == null ? 0 : p.length;
        }
        long[] all = new long[n];
        int at = 0;
        for (long[] p : parts) {
            if (p != null) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
        }
        Arrays.sort(all);
        return all;
    }
}
