package io.sessionmirror.agent.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * What {@code report <pid>} shows of one web app: its live sessions, a histogram of the sizes of the copies
 * it stored (every write since the agent started, as stored: after compression and encryption), the
 * attributes by average serialized size and the attributes left out and why. Fed by the thread that
 * encodes and writes a session (the writer thread with write=async); recording a name seen before is a
 * map lookup and atomic adds, nothing is allocated. The tables are bounded: past {@link #NAMES_MAX}
 * attribute names (or skipped attributes) new ones are only counted as "others".
 */
public final class SessionReport {

    static final int NAMES_MAX = 256;
    /** Upper bounds of the size buckets, in bytes (the last bucket has none). */
    private static final long[] BOUNDS = {1L << 10, 4L << 10, 16L << 10, 64L << 10, 256L << 10, 1L << 20};

    private final AtomicLongArray sizes = new AtomicLongArray(BOUNDS.length + 1);
    private final Map<String, AttributeStats> attributes = new ConcurrentHashMap<>();
    private final Map<String, Skip> skipped = new ConcurrentHashMap<>();
    private final AtomicLong otherAttributes = new AtomicLong();
    private volatile IntSupplier liveSessions = () -> -1;

    /** One attribute name: its last class and its serialized sizes summed. */
    private static final class AttributeStats {
        volatile String className;
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong count = new AtomicLong();
    }

    /** One attribute (name and class) left out: why (the latest reason) and how often. */
    private static final class Skip {
        final String name;
        final String className;
        volatile String reason;
        final AtomicLong count = new AtomicLong();

        Skip(String name, String className) {
            this.name = name;
            this.className = className;
        }
    }

    /** A copy of {@code bytes} (as stored) was written. */
    public void stored(int bytes) {
        int b = 0;
        while (b < BOUNDS.length && bytes >= BOUNDS[b]) {
            b++;
        }
        sizes.incrementAndGet(b);
    }

    /** An attribute of a copy about to be written, serialized on its own to {@code bytes}. */
    public void attribute(String name, String className, int bytes) {
        AttributeStats s = attributes.get(name);
        if (s == null) {
            if (attributes.size() >= NAMES_MAX) {
                otherAttributes.incrementAndGet();
                return;
            }
            s = attributes.computeIfAbsent(name, n -> new AttributeStats());
        }
        s.className = className;
        s.bytes.addAndGet(bytes);
        s.count.incrementAndGet();
    }

    /** An attribute left out of a copy, and why. */
    public void skipped(String name, String className, String reason) {
        String key = name + '\u0000' + className;
        Skip s = skipped.get(key);
        if (s == null) {
            if (skipped.size() >= NAMES_MAX) {
                return;
            }
            s = skipped.computeIfAbsent(key, k -> new Skip(name, className));
        }
        s.reason = reason;
        s.count.incrementAndGet();
    }

    /** How the live sessions of this web app are counted (set by the core that tracks them). */
    public void liveSessions(IntSupplier count) {
        liveSessions = count;
    }

    /** Sessions of this web app the agent tracks here now (-1 when nothing counts them). */
    public int liveSessions() {
        return liveSessions.getAsInt();
    }

    /** One line per size bucket: {@code "1 KB - 4 KB: 12"}. */
    public String[] sizeHistogram() {
        String[] out = new String[BOUNDS.length + 1];
        for (int b = 0; b <= BOUNDS.length; b++) {
            String range = b == 0 ? "under " + size(BOUNDS[0]) : b == BOUNDS.length ? size(BOUNDS[b - 1]) + " and more"
                    : size(BOUNDS[b - 1]) + " - " + size(BOUNDS[b]);
            out[b] = range + ": " + sizes.get(b);
        }
        return out;
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MB" : (bytes >> 10) + " KB";
    }

    /** The {@code n} attributes largest on average: {@code "cart (com.shop.Cart): avg 812 bytes, seen 14"}. */
    public String[] largestAttributes(int n) {
        List<Map.Entry<String, AttributeStats>> all = new ArrayList<>(attributes.entrySet());
        all.sort(Comparator.comparingDouble((Map.Entry<String, AttributeStats> e) -> -average(e.getValue())));
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, AttributeStats> e : all.subList(0, Math.min(n, all.size()))) {
            AttributeStats s = e.getValue();
            out.add(String.format(Locale.ROOT, "%s (%s): avg %.0f bytes, seen %d", e.getKey(), s.className,
                    average(s), s.count.get()));
        }
        long others = otherAttributes.get();
        if (others > 0) {
            out.add("(" + others + " sizes of attributes past the first " + NAMES_MAX + " names were not kept)");
        }
        return out.toArray(new String[0]);
    }

    private static double average(AttributeStats s) {
        long n = s.count.get();
        return n == 0 ? 0 : (double) s.bytes.get() / n;
    }

    /** Every attribute left out: {@code "'tracker' (com.shop.Tracker) seen 3 times: <reason>"}. */
    public String[] skipped() {
        List<String> out = new ArrayList<>();
        for (Skip s : skipped.values()) {
            out.add("'" + s.name + "' (" + s.className + ") left out " + s.count.get() + " times: " + s.reason);
        }
        out.sort(null);
        return out.toArray(new String[0]);
    }
}
