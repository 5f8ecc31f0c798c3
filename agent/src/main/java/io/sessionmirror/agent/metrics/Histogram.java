package io.sessionmirror.agent.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free histogram of durations in nanoseconds for percentiles: log-linear buckets (8 per power of
 * two, so a percentile is within 12.5% of the true value), from 64 ns to about 35 s. Recording is one
 * atomic increment; nothing is allocated on a request thread.
 */
public final class Histogram {

    private static final int SUB = 8;
    private static final int MIN_SHIFT = 6; // 64 ns
    private static final int POWERS = 30; // up to 2^36 ns, about 69 s
    private final AtomicLongArray counts = new AtomicLongArray(POWERS * SUB + 1);
    private final Histogram parent;

    public Histogram() {
        this(null);
    }

    /** Every value recorded here is recorded in {@code parent} too (per web app, then for the agent). */
    public Histogram(Histogram parent) {
        this.parent = parent;
    }

    public void record(long nanos) {
        counts.incrementAndGet(bucket(nanos));
        if (parent != null) {
            parent.record(nanos);
        }
    }

    static int bucket(long nanos) {
        long v = Math.max(nanos, 1L << MIN_SHIFT) >>> MIN_SHIFT;
        int power = 63 - Long.numberOfLeadingZeros(v); // v in [2^power, 2^(power+1))
        if (power >= POWERS) {
            return POWERS * SUB;
        }
        int sub = power < 3 ? (int) (v - (1L << power)) * SUB >> power : (int) ((v >>> (power - 3)) & (SUB - 1));
        return power * SUB + sub;
    }

    /** The largest value bucket {@code b} holds, in nanoseconds. */
    static long upperBound(int b) {
        if (b >= POWERS * SUB) {
            return Long.MAX_VALUE;
        }
        int power = b / SUB;
        int sub = b % SUB;
        long base = 1L << power;
        long upper = base + ((sub + 1) * base) / SUB;
        return (upper << MIN_SHIFT) - 1;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The {@code p}-th percentile (0 < p ≤ 100) in nanoseconds, or 0 when nothing was recorded. */
    public long percentile(double p) {
        long[] snapshot = new long[counts.length()];
        long n = 0;
        for (int i = 0; i < snapshot.length; i++) {
            snapshot[i] = counts.get(i);
            n += snapshot[i];
        }
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p / 100.0 * n);
        long seen = 0;
        for (int i = 0; i < snapshot.length; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(snapshot.length - 1);
    }
}
