package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A {@link SessionStore} in a map, for unit tests of the decisions made above the store. It keeps the store's
 * contract: writes are conditional by the {@link CopyOrder} it is given (an older copy is refused, a tombstone
 * outlives every write, a retried write is ALREADY stored), values expire, locks hold a token or a free marker
 * and change only for their holder. One node, {@link #NODE}, holds everything.
 * <p>
 * Hooks a test can use: make the next call (or every call) of an {@link Op} fail, time out, or time out after
 * it was applied ({@link Fault#LATE}, as a Memcached write whose answer came too late); {@link #pauseNext pause}
 * a call until the test releases it; move the clock ({@link #advanceClock}); look at what is stored
 * ({@link #stored}, {@link #expiresInSeconds}); count calls ({@link #calls}); announce a node recovery
 * ({@link #recover}); lose everything ({@link #wipe}).
 * <p>
 * A conditional write started by {@link #startSet}/{@link #startTombstone} is applied, atomically, when it is
 * advanced (or awaited): that is where its hooks run.
 */
public final class InMemorySessionStore implements SessionStore {

    public static final NodeAddress NODE = new NodeAddress("memory", NodeAddress.DEFAULT_PORT);
    /** What a released lock holds until it expires, as in Memcached. */
    static final byte[] FREE_LOCK = {'-'};
    static final int FREE_LOCK_SECONDS = 5;

    /** The calls a hook can act on. */
    public enum Op { GET, SET, TOMBSTONE, TOUCH, TRY_LOCK, RENEW_LOCK, UNLOCK }

    /** How a hooked call goes wrong. */
    public enum Fault {
        /** Fails at once; nothing changes. */
        FAIL,
        /** Fails as a timeout; nothing changes. */
        TIME_OUT,
        /** Changes the store, then fails as a timeout (the answer came too late). */
        LATE
    }

    /** A call held back until the test releases it. */
    public static final class Pause {
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Waits until the paused call has arrived; false when it did not within {@code millis}. */
        public boolean awaitArrived(long millis) throws InterruptedException {
            return arrived.await(millis, TimeUnit.MILLISECONDS);
        }

        public void release() {
            released.countDown();
        }
    }

    private static final class Entry {
        final byte[] value;
        final long expiresAt; // clock millis; Long.MAX_VALUE: never

        Entry(byte[] value, long expiresAt) {
            this.value = value;
            this.expiresAt = expiresAt;
        }
    }

    private final CopyOrder order;
    private final long timeoutMillis;
    private final Map<String, Entry> values = new HashMap<>();
    private final Map<Op, Fault> nextFault = new EnumMap<>(Op.class);
    private final Map<Op, Fault> everyFault = new EnumMap<>(Op.class);
    private final Map<Op, Pause> nextPause = new EnumMap<>(Op.class);
    private final Map<Op, AtomicInteger> calls = new EnumMap<>(Op.class);
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<NodeAddress> nodes = List.of(NODE);
    private volatile boolean down;
    private long clock = System.currentTimeMillis();
    private boolean closed;

    public InMemorySessionStore(CopyOrder order) {
        this(order, 1000);
    }

    public InMemorySessionStore(CopyOrder order, long timeoutMillis) {
        this.order = order;
        this.timeoutMillis = timeoutMillis;
        for (Op op : Op.values()) {
            calls.put(op, new AtomicInteger());
        }
    }

    // ---------------------------------------------------------------- hooks and inspection

    /** The next call of {@code op} goes wrong as {@code fault}. */
    public synchronized void failNext(Op op, Fault fault) {
        nextFault.put(op, fault);
    }

    /** Every call of {@code op} goes wrong as {@code fault}, until {@link #heal}. */
    public synchronized void failAlways(Op op, Fault fault) {
        everyFault.put(op, fault);
    }

    /** Every call fails, as with every node down ({@link #nodesDown} lists the node), until {@link #heal}. */
    public void goDown() {
        down = true;
    }

    /** No more faults, the node is up again (no recovery is announced: see {@link #recover}). */
    public synchronized void heal() {
        nextFault.clear();
        everyFault.clear();
        down = false;
    }

    /** The next call of {@code op} waits, before it does anything, until the returned pause is released. */
    public synchronized Pause pauseNext(Op op) {
        Pause p = new Pause();
        nextPause.put(op, p);
        return p;
    }

    /** Moves the store's clock: values and locks whose time is up are gone. */
    public synchronized void advanceClock(long millis) {
        clock += millis;
    }

    /** What is stored under {@code key} (a copy, a tombstone, a lock token), or null; not counted as a call. */
    public synchronized byte[] stored(String key) {
        Entry e = live(key);
        return e == null ? null : e.value.clone();
    }

    /** Seconds until {@code key} expires, -1 for never, or null when nothing is stored. */
    public synchronized Long expiresInSeconds(String key) {
        Entry e = live(key);
        if (e == null) {
            return null;
        }
        return e.expiresAt == Long.MAX_VALUE ? -1L : (e.expiresAt - clock + 999) / 1000;
    }

    /** The keys that hold something, in no particular order. */
    public synchronized List<String> keys() {
        List<String> out = new ArrayList<>();
        for (String k : new ArrayList<>(values.keySet())) {
            if (live(k) != null) {
                out.add(k);
            }
        }
        return out;
    }

    /** How many calls of {@code op} were made (a started write counts when it is started). */
    public int calls(Op op) {
        return calls.get(op).get();
    }

    /** Announces a node recovery to the listeners, as the store does when a node answers again. */
    public void recover(boolean emptied) {
        for (StoreListener l : listeners) {
            l.nodeRecovered(NODE, emptied);
        }
    }

    /** Loses every value, as a Memcached node that restarted. */
    public synchronized void wipe() {
        values.clear();
    }

    // ---------------------------------------------------------------- the store

    @Override
    public long timeoutMillis() {
        return timeoutMillis;
    }

    @Override
    public byte[] get(String key) throws StoreException {
        Fault f = enter(Op.GET);
        synchronized (this) {
            check(Op.GET, f == Fault.LATE ? null : f);
            Entry e = live(key);
            byte[] v = e == null ? null : e.value.clone();
            check(Op.GET, f);
            return v;
        }
    }

    @Override
    public PendingWrite startSet(String key, byte[] value, int expirySeconds) {
        calls.get(Op.SET).incrementAndGet();
        return new Write(Op.SET, key, value.clone(), expirySeconds, null);
    }

    @Override
    public PendingWrite startTombstone(String key, int expirySeconds, Predicate<byte[]> onlyIf) {
        calls.get(Op.TOMBSTONE).incrementAndGet();
        byte[] stone = order.tombstone(expirySeconds);
        return new Write(Op.TOMBSTONE, key, stone, order.expiryOf(stone), onlyIf);
    }

    @Override
    public boolean touch(String key, int expirySeconds) throws StoreException {
        Fault f = enter(Op.TOUCH);
        synchronized (this) {
            check(Op.TOUCH, f == Fault.LATE ? null : f);
            Entry e = live(key);
            if (e != null) {
                values.put(key, new Entry(e.value, expiresAt(expirySeconds)));
            }
            check(Op.TOUCH, f);
            return e != null;
        }
    }

    @Override
    public boolean tryLock(String key, String token, int ttlSeconds) throws StoreException {
        Fault f = enter(Op.TRY_LOCK);
        synchronized (this) {
            check(Op.TRY_LOCK, f == Fault.LATE ? null : f);
            byte[] mine = token.getBytes(StandardCharsets.US_ASCII);
            Entry e = live(key);
            boolean taken;
            if (e == null || Arrays.equals(e.value, FREE_LOCK)) {
                values.put(key, new Entry(mine, expiresAt(ttlSeconds)));
                taken = true;
            } else {
                taken = Arrays.equals(e.value, mine); // an earlier attempt stored it
            }
            check(Op.TRY_LOCK, f);
            return taken;
        }
    }

    @Override
    public boolean renewLock(String key, String token, int ttlSeconds) throws StoreException {
        return swapLock(Op.RENEW_LOCK, key, token, token.getBytes(StandardCharsets.US_ASCII), ttlSeconds);
    }

    @Override
    public boolean unlock(String key, String token) throws StoreException {
        return swapLock(Op.UNLOCK, key, token, FREE_LOCK, FREE_LOCK_SECONDS);
    }

    private boolean swapLock(Op op, String key, String token, byte[] value, int ttlSeconds) throws StoreException {
        Fault f = enter(op);
        synchronized (this) {
            check(op, f == Fault.LATE ? null : f);
            Entry e = live(key);
            boolean ours = e != null && Arrays.equals(e.value, token.getBytes(StandardCharsets.US_ASCII));
            if (ours) {
                values.put(key, new Entry(value, expiresAt(ttlSeconds)));
            }
            check(op, f);
            return ours;
        }
    }

    @Override
    public boolean repairKey(String key) {
        try {
            return get(key) != null;
        } catch (StoreException e) {
            return true; // as the Memcached store: nothing answered, nothing to conclude
        }
    }

    @Override
    public int repairsPending() {
        return 0; // one node: nothing to repair
    }

    @Override
    public boolean belongsTo(String key, NodeAddress node) {
        return nodes.contains(node);
    }

    @Override
    public void addListener(StoreListener listener) {
        listeners.add(listener);
    }

    @Override
    public int copies() {
        return 1;
    }

    @Override
    public List<NodeAddress> nodes() {
        return nodes;
    }

    @Override
    public List<NodeAddress> nodesDown() {
        return down ? nodes : List.of();
    }

    /** Takes the new list (the values stay: one map) and announces every node as emptied, as the store does. */
    @Override
    public void switchNodes(List<NodeAddress> newNodes) {
        nodes = List.copyOf(newNodes);
        for (NodeAddress n : nodes) {
            for (StoreListener l : listeners) {
                l.nodeRecovered(n, true);
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    // ---------------------------------------------------------------- inside

    /** A conditional write, applied atomically when advanced. */
    private final class Write implements PendingWrite {
        private final Op op;
        private final String key;
        private final byte[] value;
        private final int expirySeconds;
        private final Predicate<byte[]> onlyIf;
        private boolean advanced;
        private WriteResult result;
        private StoreException failure;

        Write(Op op, String key, byte[] value, int expirySeconds, Predicate<byte[]> onlyIf) {
            this.op = op;
            this.key = key;
            this.value = value;
            this.expirySeconds = expirySeconds;
            this.onlyIf = onlyIf;
        }

        @Override
        public void advance() {
            if (advanced) {
                return;
            }
            advanced = true;
            try {
                Fault f = hooks(op);
                synchronized (InMemorySessionStore.this) {
                    check(op, f == Fault.LATE ? null : f);
                    result = apply();
                    check(op, f);
                }
            } catch (StoreException e) {
                failure = e;
            }
        }

        private WriteResult apply() {
            Entry e = live(key);
            byte[] stored = e == null ? null : e.value;
            if (onlyIf != null && (stored == null || !onlyIf.test(stored))) {
                return WriteResult.STORED; // nothing to do, as the Memcached store answers
            }
            switch (order.decide(stored, value)) {
                case REPLACE:
                    values.put(key, new Entry(value, expiresAt(expirySeconds)));
                    return WriteResult.STORED;
                case ALREADY:
                    return WriteResult.STORED;
                case MERGE:
                    // Atomic here (under the store's lock): what the stores do with gets/cas and a re-read.
                    byte[] merged = order.merge(key, stored, value);
                    if (merged == null) {
                        return WriteResult.REFUSED;
                    }
                    values.put(key, new Entry(merged, expiresAt(order.expiryOf(merged))));
                    return merged == value ? WriteResult.STORED : WriteResult.MERGED;
                default:
                    return WriteResult.REFUSED;
            }
        }

        @Override
        public WriteResult await() throws StoreException {
            advance();
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /** Counts the call and takes its hooks. */
    private Fault enter(Op op) throws StoreException {
        calls.get(op).incrementAndGet();
        return hooks(op);
    }

    /** Takes the hooks of a call: waits while it is paused; returns its fault, or null. */
    private Fault hooks(Op op) throws StoreException {
        Pause pause;
        Fault fault;
        synchronized (this) {
            pause = nextPause.remove(op);
            fault = nextFault.remove(op);
            if (fault == null) {
                fault = everyFault.get(op);
            }
            if (fault == null && (down || closed)) {
                fault = Fault.FAIL;
            }
        }
        if (pause != null) {
            pause.arrived.countDown();
            try {
                if (!pause.released.await(30, TimeUnit.SECONDS)) {
                    throw new StoreException(op + " was paused and never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(op + " interrupted");
            }
        }
        return fault;
    }

    private void check(Op op, Fault f) throws StoreException {
        if (f == Fault.FAIL) {
            throw new StoreException(op + " on " + NODE + " failed" + (closed ? ": the store is closed" : ""));
        }
        if (f == Fault.TIME_OUT || f == Fault.LATE) {
            throw new StoreException(op + " on " + NODE + " timed out after " + timeoutMillis + " ms");
        }
    }

    private Entry live(String key) {
        Entry e = values.get(key);
        if (e != null && e.expiresAt <= clock) {
            values.remove(key);
            return null;
        }
        return e;
    }

    private long expiresAt(int seconds) {
        return seconds <= 0 ? Long.MAX_VALUE : clock + seconds * 1000L;
    }
}
