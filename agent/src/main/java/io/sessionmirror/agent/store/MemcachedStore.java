package io.sessionmirror.agent.store;

import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.core.ExpiryPolicy;
import io.sessionmirror.agent.metrics.MirrorStats;
import io.sessionmirror.agent.support.AgentLog;

import io.sessionmirror.agent.config.NodeAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.spy.memcached.CachedData;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.transcoders.Transcoder;
import org.slf4j.Logger;

/**
 * The Memcached cluster, with a hard time bound on every call a request thread makes.
 * <ul>
 *   <li><b>Placement.</b> Nodes sit on a consistent-hash ring ({@link NodeRing}); a key's copies go to the
 *       first {@code replicas + 1} distinct nodes clockwise from it that are up, so losing or adding a node
 *       moves only that node's share of the keys.</li>
 *   <li><b>Reads</b> ask those nodes and the next one in parallel and return the newest copy
 *       ({@link StoredCopy#compare}: a tombstone is newer than any copy); a node that answered with nothing or an older copy is repaired
 *       in the background.</li>
 *   <li><b>Circuit breaker.</b> A node that fails {@value #FAILURES_TO_OPEN} calls in a row is skipped at
 *       once (no waiting) until a background probe finds it answering again. The probe also notices a node
 *       that restarted (its process id or start time changed): it came back empty.</li>
 *   <li><b>Recovery.</b> Writes and deletes a node missed are remembered per node and replayed when it is
 *       back; a node that came back empty (or was replaced) is announced to the {@link Listener}s, which
 *       write again every session that belongs on it.</li>
 * </ul>
 * Built on one spymemcached client per node, configured so a node that is down fails operations at once
 * (instead of queueing them) and is reconnected in the background.
 */
public final class MemcachedStore implements AutoCloseable {

    /** Memcached treats expiry times above 30 days as absolute Unix times. */
    static final int MAX_RELATIVE_EXPIRY = 30 * 24 * 3600;
    static final int FAILURES_TO_OPEN = 3;
    private static final long PROBE_MILLIS = 1000;
    /** Keys remembered per node for replay; beyond that the node gets a full repair when it is back. */
    private static final int MAX_MISSED = 100_000;
    /** Pending background repairs; beyond that repairs are dropped (the next write or recovery fixes them). */
    private static final int MAX_REPAIRS = 20_000;

    private static final Logger LOG = AgentLog.get();

    /** Told when a node answers again after an outage, or came back from a restart. */
    public interface Listener {
        /**
         * @param emptied the node restarted, is new, or missed more than could be remembered: every session
         *                that belongs on it must be written there again
         */
        void nodeRecovered(NodeAddress node, boolean emptied);
    }

    private final long timeoutMillis;
    private final int replicas;
    private final MirrorStats stats;
    private volatile NodeRing<Node> ring;
    private volatile boolean closed;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Runnable> repairs = new LinkedBlockingQueue<>(MAX_REPAIRS);
    private final AtomicInteger repairsPending = new AtomicInteger();
    private final Thread repairThread;
    private final String username;
    private final String password;
    private final Thread probeThread;

    public MemcachedStore(List<NodeAddress> nodes, long timeoutMillis) {
        this(nodes, timeoutMillis, 0, new MirrorStats());
    }

    public MemcachedStore(List<NodeAddress> nodes, long timeoutMillis, int replicas, MirrorStats stats) {
        this(nodes, timeoutMillis, replicas, stats, null, null);
    }

    /** With a user name, every node is spoken to over the binary protocol and authenticated with SASL PLAIN. */
    public MemcachedStore(List<NodeAddress> nodes, long timeoutMillis, int replicas, MirrorStats stats, String username,
                          String password) {
        this.username = username;
        this.password = password;
        this.timeoutMillis = timeoutMillis;
        this.replicas = replicas;
        this.stats = stats;
        this.ring = ringOf(nodes);
        repairThread = daemon(this::runRepairs, "session-mirror-repair");
        probeThread = daemon(this::runProbes, "session-mirror-probe");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private NodeRing<Node> ringOf(List<NodeAddress> addresses) {
        List<Node> nodes = new ArrayList<>();
        for (NodeAddress a : addresses) {
            nodes.add(new Node(a));
        }
        return new NodeRing<>(nodes, n -> n.address.toString());
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** How many nodes hold each session: {@code replicas + 1}, or fewer when there are fewer nodes. */
    public int copies() {
        return Math.min(replicas + 1, ring.size());
    }

    /**
     * Moves to another node list (a second attach with new {@code nodes}): new operations go to the new
     * nodes at once; the old clients finish what they have in flight and are shut down in the background.
     * Every session is then written to the new nodes.
     */
    public synchronized void switchNodes(List<NodeAddress> newNodes) {
        NodeRing<Node> old = ring;
        ring = ringOf(newNodes);
        Thread t = new Thread(() -> {
            for (Node n : old.nodes()) {
                n.shutdown(timeoutMillis * 2);
            }
        }, "session-mirror-old-client");
        t.setDaemon(true);
        t.start();
        for (Node n : ring.nodes()) {
            n.everSeen = true; // announce as emptied below, not again at its first probe
            announce(n, true);
        }
    }

    public List<NodeAddress> nodes() {
        List<NodeAddress> out = new ArrayList<>();
        for (Node n : ring.nodes()) {
            out.add(n.address);
        }
        return out;
    }

    /** The nodes whose circuit is open (skipped until they answer again). */
    public List<NodeAddress> nodesDown() {
        List<NodeAddress> out = new ArrayList<>();
        for (Node n : ring.nodes()) {
            if (n.open) {
                out.add(n.address);
            }
        }
        return out;
    }

    /** Whether {@code node} is, right now, one of the nodes that should hold a copy of {@code key}. */
    public boolean belongsTo(String key, NodeAddress node) {
        for (Node n : live(ring.preference(key), copies())) {
            if (n.address.equals(node)) {
                return true;
            }
        }
        return false;
    }

    /** The first {@code count} nodes of a preference list that are not skipped by their circuit breaker. */
    private static List<Node> live(List<Node> preference, int count) {
        List<Node> out = new ArrayList<>(count);
        for (Node n : preference) {
            if (!n.open && out.size() < count) {
                out.add(n);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- operations

    /** The newest stored copy, or null when no node holds the key. */
    public byte[] get(String key) throws StoreException {
        List<Node> preference = ring.preference(key);
        int copies = copies();
        // One node beyond the replicas: it holds the keys written while one of their nodes was down.
        List<Node> asked = live(preference, copies + 1);
        List<Future<byte[]>> futures = new ArrayList<>(asked.size());
        for (Node n : asked) {
            futures.add(n.start(c -> c.asyncGet(key, RawBytes.INSTANCE)));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        byte[][] values = new byte[asked.size()][];
        boolean[] answered = new boolean[asked.size()];
        int answers = 0;
        String lastError = null;
        byte[] newest = null;
        for (int i = 0; i < asked.size(); i++) {
            try {
                values[i] = asked.get(i).await(futures.get(i), deadline, "get");
                answered[i] = true;
                answers++;
                if (StoredCopy.compare(values[i], newest) > 0) {
                    newest = values[i];
                }
            } catch (StoreException e) {
                lastError = e.getMessage();
            }
        }
        if (answers == 0) {
            throw new StoreException(lastError == null ? "no Memcached node is available" + downSuffix() : lastError);
        }
        if (newest != null) {
            // Nodes that should hold the newest copy and do not: repair in the background.
            for (int i = 0; i < asked.size() && i < copies; i++) {
                Node n = asked.get(i);
                if (!answered[i]) {
                    n.missed(key);
                } else if (StoredCopy.compare(newest, values[i]) > 0) {
                    byte[] copy = newest;
                    repair(() -> copyTo(n, key, copy));
                }
            }
        }
        return newest;
    }

    /**
     * Writes {@code value} to every node that should hold the key, where it is newer than what the node holds
     * ({@link StoredCopy#decide}); fails only when no node answered.
     */
    public WriteResult set(String key, byte[] value, int expirySeconds) throws StoreException {
        return startSet(key, value, expirySeconds).await();
    }

    /**
     * Starts {@link #set} without waiting: several started writes travel to Memcached together. The
     * timeout counts from here.
     */
    public PendingWrite startSet(String key, byte[] value, int expirySeconds) {
        List<Node> preference = ring.preference(key);
        int copies = copies();
        List<Node> targets = live(preference, copies);
        for (int i = 0; i < copies && i < preference.size(); i++) {
            if (preference.get(i).open) {
                preference.get(i).missed(key); // its natural home is down: written there when it is back
            }
        }
        return new PendingWrite(key, value, expiry(expirySeconds), targets, null, false);
    }

    /**
     * Ends a session id for good: a tombstone on every node that is up (a copy written while a node was down
     * may sit on a node that is not one of its homes any more), over whatever is stored; nodes that are down
     * get it when they are back. No write of the id is accepted while the tombstone lives.
     */
    public WriteResult tombstone(String key, int expirySeconds) throws StoreException {
        return startTombstone(key, expirySeconds, null).await();
    }

    /**
     * As {@link #tombstone}, started without waiting; with {@code onlyIf}, only over a stored copy that it
     * accepts (nothing is written where the key is absent or the copy is refused).
     */
    public PendingWrite startTombstone(String key, int expirySeconds, java.util.function.Predicate<byte[]> onlyIf) {
        byte[] stone = StoredCopy.tombstone(expirySeconds);
        List<Node> up = new ArrayList<>();
        for (Node n : ring.nodes()) {
            if (n.open) {
                if (onlyIf == null) {
                    n.deleteLater(key, StoredCopy.tombstoneExpiryOf(stone));
                }
            } else {
                up.add(n);
            }
        }
        return new PendingWrite(key, stone, expiry(StoredCopy.tombstoneExpiryOf(stone)), up, onlyIf, true);
    }

    /** How a conditional write ended on the nodes that answered. */
    public enum WriteResult {
        /** Stored (or already there) on every node that answered. */
        STORED,
        /** At least one node holds something newer, or a tombstone: this value was not the newest. */
        REFUSED
    }

    /**
     * A conditional write on its way to its nodes: {@code gets} on every node first, then {@code cas} (or
     * {@code add} where the key is absent) where the new value is newer, all pipelined. A node that changed the
     * key between the two (another server wrote, or a tombstone landed) is read again and decided again.
     */
    public final class PendingWrite {
        private static final int ATTEMPTS = 4;
        private final String key;
        private final byte[] value;
        private final int exp;
        private final List<Node> targets;
        private final java.util.function.Predicate<byte[]> onlyIf;
        private final boolean tombstone;
        private final long deadline;
        private final Future<?>[] calls;
        /** Per node: 0 pending, 1 stored, 2 refused, 3 nothing to do, -1 failed. */
        private final int[] outcome;
        private final String[] errors;
        private boolean advanced;

        PendingWrite(String key, byte[] value, int exp, List<Node> targets, java.util.function.Predicate<byte[]> onlyIf,
                     boolean tombstone) {
            this.key = key;
            this.value = value;
            this.exp = exp;
            this.targets = targets;
            this.onlyIf = onlyIf;
            this.tombstone = tombstone;
            this.calls = new Future<?>[targets.size()];
            this.outcome = new int[targets.size()];
            this.errors = new String[targets.size()];
            for (int i = 0; i < targets.size(); i++) {
                calls[i] = targets.get(i).start(c -> c.asyncGets(key, RawBytes.INSTANCE));
            }
            // From here: a client created moments ago may have waited for its first connection in start().
            this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        }

        /** Waits for the reads and starts the writes they allow, without waiting for those. */
        public void advance() {
            if (advanced) {
                return;
            }
            advanced = true;
            for (int i = 0; i < targets.size(); i++) {
                try {
                    @SuppressWarnings("unchecked")
                    net.spy.memcached.CASValue<byte[]> read = (net.spy.memcached.CASValue<byte[]>) targets.get(i)
                            .await(calls[i], deadline, "gets");
                    calls[i] = decideAndStart(i, read);
                } catch (StoreException e) {
                    fail(i, e);
                }
            }
        }

        private Future<?> decideAndStart(int i, net.spy.memcached.CASValue<byte[]> read) {
            Node n = targets.get(i);
            byte[] stored = read == null ? null : read.getValue();
            StoredCopy.Decision d = onlyIf != null && (stored == null || !onlyIf.test(stored))
                    ? null : StoredCopy.decide(stored, value);
            if (d == null) {
                outcome[i] = 3;
                return null;
            }
            switch (d) {
                case ALREADY:
                    outcome[i] = 1;
                    return null;
                case REFUSE:
                    outcome[i] = 2;
                    return null;
                default:
                    return read == null
                            ? n.start(c -> c.add(key, exp, value, RawBytes.INSTANCE))
                            : n.start(c -> c.asyncCAS(key, read.getCas(), exp, value, RawBytes.INSTANCE));
            }
        }

        /**
         * Waits for the answers, at most until the timeout; fails only when no node answered. A write that
         * lost a race on a node (the key changed between the read and the write) is decided again there.
         */
        public WriteResult await() throws StoreException {
            advance();
            for (int i = 0; i < targets.size(); i++) {
                Node n = targets.get(i);
                for (int attempt = 1; outcome[i] == 0; attempt++) {
                    try {
                        Object answer = n.await(calls[i], deadline, tombstone ? "tombstone" : "set");
                        if (Boolean.TRUE.equals(answer) || answer == net.spy.memcached.CASResponse.OK) {
                            outcome[i] = 1;
                        } else if (answer instanceof Boolean || answer == net.spy.memcached.CASResponse.EXISTS
                                || answer == net.spy.memcached.CASResponse.NOT_FOUND) {
                            if (attempt == ATTEMPTS) {
                                throw new StoreException("Memcached " + n.address + " kept changing " + key
                                        + " during " + ATTEMPTS + " attempts to write it");
                            }
                            @SuppressWarnings("unchecked")
                            net.spy.memcached.CASValue<byte[]> read = (net.spy.memcached.CASValue<byte[]>) n.await(
                                    n.start(c -> c.asyncGets(key, RawBytes.INSTANCE)), deadline, "gets");
                            calls[i] = decideAndStart(i, read);
                        } else {
                            throw new StoreException("Memcached " + n.address + " refused to store " + value.length
                                    + " bytes (" + answer + ")");
                        }
                    } catch (StoreException e) {
                        fail(i, e);
                    }
                }
            }
            int answered = 0;
            boolean refused = false;
            String lastError = null;
            for (int i = 0; i < targets.size(); i++) {
                if (outcome[i] > 0) {
                    answered++;
                    refused |= outcome[i] == 2;
                } else {
                    lastError = errors[i];
                }
            }
            if (answered == 0) {
                throw new StoreException(lastError == null ? "no Memcached node is available" + downSuffix() : lastError);
            }
            return refused ? WriteResult.REFUSED : WriteResult.STORED;
        }

        private void fail(int i, StoreException e) {
            outcome[i] = -1;
            errors[i] = e.getMessage();
            Node n = targets.get(i);
            if (tombstone) {
                if (onlyIf == null) {
                    n.deleteLater(key, StoredCopy.tombstoneExpiryOf(value));
                }
            } else {
                n.missed(key);
            }
        }
    }

    /** Extends the expiry of every copy; returns false when no node holds the key. */
    public boolean touch(String key, int expirySeconds) throws StoreException {
        int exp = expiry(expirySeconds);
        List<Node> targets = live(ring.preference(key), copies());
        List<Future<Boolean>> futures = new ArrayList<>(targets.size());
        for (Node n : targets) {
            futures.add(n.start(c -> c.touch(key, exp)));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int answers = 0;
        int found = 0;
        String lastError = null;
        for (int i = 0; i < targets.size(); i++) {
            try {
                answers++;
                if (Boolean.TRUE.equals(targets.get(i).await(futures.get(i), deadline, "touch"))) {
                    found++;
                }
            } catch (StoreException e) {
                answers--;
                targets.get(i).missed(key);
                lastError = e.getMessage();
            }
        }
        if (answers == 0) {
            throw new StoreException(lastError == null ? "no Memcached node is available" + downSuffix() : lastError);
        }
        if (found > 0 && found < answers) {
            repair(() -> repairKey(key)); // a copy is missing (its node restarted): copy the newest there
        }
        return found > 0;
    }

    /**
     * Deletes every copy, on every node that is up (a copy written while a node was down may sit on a node
     * that is not one of its homes any more). Nodes that are down delete it when they are back.
     */
    public boolean delete(String key) throws StoreException {
        List<Node> all = ring.nodes();
        List<Node> up = new ArrayList<>();
        for (Node n : all) {
            if (n.open) {
                n.deleteLater(key, -1);
            } else {
                up.add(n);
            }
        }
        List<Future<Boolean>> futures = new ArrayList<>(up.size());
        for (Node n : up) {
            futures.add(n.start(c -> c.delete(key)));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int answers = 0;
        boolean deleted = false;
        String lastError = null;
        for (int i = 0; i < up.size(); i++) {
            try {
                deleted |= Boolean.TRUE.equals(up.get(i).await(futures.get(i), deadline, "delete"));
                answers++;
            } catch (StoreException e) {
                up.get(i).deleteLater(key, -1);
                lastError = e.getMessage();
            }
        }
        if (answers == 0) {
            throw new StoreException(lastError == null ? "no Memcached node is available" + downSuffix() : lastError);
        }
        return deleted;
    }

    // ---------------------------------------------------------------- session locks (SessionLocks)
    //
    // A lock is one key on the lock key's first node that is up, holding its holder's token. Text-protocol
    // delete cannot compare (and the binary protocol is used only with SASL), so a lock is never deleted:
    // every change that must only happen while the holder still owns it is a gets + cas on the value it read.
    // Release swaps the token for FREE_LOCK, a short-lived marker that matches no token; acquire is an add, or,
    // when the key holds FREE_LOCK, a cas over it. A lock that expired and was taken by another holder meanwhile
    // has another token or another cas id: our release or renewal then changes nothing.

    /** What a released lock holds until it expires: not a token, so no holder's compare matches it. */
    public static final byte[] FREE_LOCK = {'-'};
    private static final int FREE_LOCK_SECONDS = 5;
    /** Compare-and-swaps retried when the value was still ours but changed cas id (our renewal met our release). */
    private static final int LOCK_SWAP_ATTEMPTS = 3;

    /**
     * Takes the lock {@code key} for {@code token} for {@code ttlSeconds}: true when it was free (absent or
     * released) or already held by this token (an earlier attempt stored it but its answer came too late).
     */
    public boolean tryLock(String key, String token, int ttlSeconds) throws StoreException {
        Node n = first(key);
        byte[] mine = token.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (Boolean.TRUE.equals(lockCall(n, c -> c.add(key, expiry(ttlSeconds), mine, RawBytes.INSTANCE), "add"))) {
            return true;
        }
        net.spy.memcached.CASValue<byte[]> current = lockCall(n, c -> c.asyncGets(key, RawBytes.INSTANCE), "gets");
        if (current == null) {
            return false; // released and expired just now: the caller's next attempt adds it
        }
        if (java.util.Arrays.equals(current.getValue(), mine)) {
            return true;
        }
        return java.util.Arrays.equals(current.getValue(), FREE_LOCK) && lockCall(n,
                c -> c.asyncCAS(key, current.getCas(), expiry(ttlSeconds), mine, RawBytes.INSTANCE), "cas")
                == net.spy.memcached.CASResponse.OK;
    }

    /** Extends the lock to {@code ttlSeconds} from now if {@code token} still holds it; false when it does not. */
    public boolean renewLock(String key, String token, int ttlSeconds) throws StoreException {
        byte[] mine = token.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return swapLock(key, mine, mine, ttlSeconds);
    }

    /** Releases the lock if {@code token} still holds it; false when it does not (expired, or another's now). */
    public boolean unlock(String key, String token) throws StoreException {
        return swapLock(key, token.getBytes(java.nio.charset.StandardCharsets.US_ASCII), FREE_LOCK, FREE_LOCK_SECONDS);
    }

    private boolean swapLock(String key, byte[] expected, byte[] value, int ttlSeconds) throws StoreException {
        Node n = first(key);
        for (int attempt = 0; attempt < LOCK_SWAP_ATTEMPTS; attempt++) {
            net.spy.memcached.CASValue<byte[]> current = lockCall(n, c -> c.asyncGets(key, RawBytes.INSTANCE), "gets");
            if (current == null || !java.util.Arrays.equals(current.getValue(), expected)) {
                return false;
            }
            net.spy.memcached.CASResponse r = lockCall(n,
                    c -> c.asyncCAS(key, current.getCas(), expiry(ttlSeconds), value, RawBytes.INSTANCE), "cas");
            if (r == net.spy.memcached.CASResponse.OK) {
                return true;
            }
            if (r != net.spy.memcached.CASResponse.EXISTS) {
                return false; // expired between the gets and the cas
            }
        }
        return false;
    }

    private <T> T lockCall(Node n, Call<T> call, String op) throws StoreException {
        return n.await(n.start(call), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), op);
    }

    private Node first(String key) throws StoreException {
        List<Node> l = live(ring.preference(key), 1);
        if (l.isEmpty()) {
            throw new StoreException("no Memcached node is available" + downSuffix());
        }
        return l.get(0);
    }

    private String downSuffix() {
        return " (down: " + nodesDown() + ")";
    }

    public static int expiry(int seconds) {
        if (seconds <= 0) {
            return 0;
        }
        if (seconds <= MAX_RELATIVE_EXPIRY) {
            return seconds;
        }
        return (int) Math.min(Integer.MAX_VALUE, System.currentTimeMillis() / 1000 + seconds);
    }

    // ---------------------------------------------------------------- repair

    /** Repairs queued or running: for tests that must know a read's repairs have run. */
    public int repairsPending() {
        return repairsPending.get();
    }

    private void repair(Runnable task) {
        repairsPending.incrementAndGet();
        if (!repairs.offer(task)) {
            repairsPending.decrementAndGet();
            LOG.debug("Repair queue full; a replica is repaired at the session's next write instead");
        }
    }

    /**
     * Copies the newest copy of {@code key} to the nodes that should hold it and do not (the read does it).
     * Returns false when no node that answered holds the key.
     */
    public boolean repairKey(String key) {
        try {
            return get(key) != null;
        } catch (StoreException e) {
            return true; // nothing answered: nothing to conclude; the next recovery tries again
        }
    }

    /** A read repair: {@code value} onto one node, only where it is newer than what that node holds by then. */
    private void copyTo(Node n, String key, byte[] value) {
        try {
            PendingWrite w = new PendingWrite(key, value, expiry(ExpiryPolicy.expiryOf(value)),
                    Collections.singletonList(n), null, StoredCopy.isTombstone(value));
            if (w.await() == WriteResult.STORED) {
                stats.replicaRepairs.increment();
            }
        } catch (StoreException e) {
            // remembered by the write: repaired when the node is back
        }
    }

    private void runRepairs() {
        while (!closed) {
            try {
                Runnable r = repairs.poll(500, TimeUnit.MILLISECONDS);
                if (r != null) {
                    try {
                        r.run();
                    } finally {
                        repairsPending.decrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                LOG.debug("Replica repair failed: {}", e.toString());
            }
        }
    }

    // ---------------------------------------------------------------- probing

    private void runProbes() {
        while (!closed) {
            for (Node n : ring.nodes()) {
                try {
                    probe(n);
                } catch (Throwable e) {
                    LOG.debug("Probing Memcached {} failed: {}", n.address, e.toString());
                }
            }
            try {
                Thread.sleep(PROBE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Asks a node for its process id and start time: answers at all, and is it the same process? */
    private void probe(Node n) {
        String incarnation = n.incarnation();
        if (incarnation == null) {
            n.failed("probe");
            if (username != null && !n.credentialsChecked) {
                // spymemcached retries a refused login forever and only says "Auth failure": say what is wrong.
                n.credentialsChecked = true;
                String answer = SaslCheck.authenticate(n.address, username, password, (int) Math.max(timeoutMillis, 1000));
                if (answer.startsWith("authentication failed")) {
                    LOG.warn("Memcached {} refuses the SASL login of user '{}': {}. Sessions stay on this server until"
                            + " 'username'/'password' match the node's SASL users (memcached -S).", n.address, username,
                            answer);
                }
            }
            return;
        }
        n.credentialsChecked = false;
        boolean wasOpen = n.open;
        String previous = n.lastIncarnation;
        boolean firstSight = !n.everSeen;
        n.lastIncarnation = incarnation;
        n.everSeen = true;
        n.failures.set(0);
        boolean restarted = previous != null && !previous.equals(incarnation);
        if (wasOpen) {
            n.open = false;
            LOG.info("Memcached {} answers again{}; writing what it missed", n.address,
                    restarted ? " (restarted: it lost its data)" : "");
        } else if (restarted) {
            LOG.warn("Memcached {} restarted (it lost its data); writing again the sessions that belong on it", n.address);
        }
        if (wasOpen || restarted || firstSight && n.hadTrouble) {
            n.hadTrouble = false;
            announce(n, restarted || previous == null || n.missedOverflow);
        } else if (!n.missed.isEmpty() || !n.deletes.isEmpty()) {
            replay(n); // a single failed call: replay it, no full repair
        }
    }

    private void announce(Node n, boolean emptied) {
        repair(() -> {
            replay(n);
            for (Listener l : listeners) {
                try {
                    l.nodeRecovered(n.address, emptied);
                } catch (Throwable e) {
                    LOG.warn("Rewriting sessions to Memcached {} failed: {}", n.address, e.toString());
                }
            }
        });
    }

    private void replay(Node n) {
        n.missedOverflow = false;
        // Tombstones and deletes first: a copy it missed must never land after the end of its session.
        for (Iterator<Map.Entry<String, Integer>> it = n.deletes.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Integer> e = it.next();
            String key = e.getKey();
            int tombstoneSeconds = e.getValue();
            it.remove();
            try {
                if (tombstoneSeconds < 0) {
                    n.await(n.start(c -> c.delete(key)), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
                            "delete");
                } else {
                    byte[] stone = StoredCopy.tombstone(tombstoneSeconds);
                    new PendingWrite(key, stone, expiry(StoredCopy.tombstoneExpiryOf(stone)), Collections.singletonList(n), null,
                            true).await();
                }
            } catch (StoreException e2) {
                n.deleteLater(key, tombstoneSeconds);
                return;
            }
        }
        for (Iterator<String> it = n.missed.iterator(); it.hasNext(); ) {
            String key = it.next();
            it.remove();
            repairKey(key);
        }
    }

    @Override
    public void close() {
        closed = true;
        probeThread.interrupt();
        repairThread.interrupt();
        for (Node n : ring.nodes()) {
            n.shutdown(1000);
        }
    }

    // ---------------------------------------------------------------- one node

    /** A function of a client that starts an asynchronous Memcached call. */
    private interface Call<T> {
        Future<T> start(MemcachedClient c);
    }

    private final class Node {
        final NodeAddress address;
        private volatile MemcachedClient client;
        private volatile long createdAt;
        private volatile long nextConnectAttempt;
        final AtomicInteger failures = new AtomicInteger();
        /** Circuit open: skipped by every operation until a probe finds it answering. */
        volatile boolean open;
        volatile String lastIncarnation;
        volatile boolean everSeen;
        volatile boolean hadTrouble;
        /** Whether the SASL login was checked since the node last answered (checked once per outage). */
        volatile boolean credentialsChecked;
        volatile boolean missedOverflow;
        final Set<String> missed = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> deletes = new ConcurrentHashMap<>();
        volatile boolean deletesOverflowReported;

        Node(NodeAddress address) {
            this.address = address;
        }

        void missed(String key) {
            hadTrouble = true;
            if (missed.size() < MAX_MISSED) {
                missed.add(key);
            } else {
                missedOverflow = true;
            }
        }

        /**
         * Remembers a delete or tombstone ({@code tombstoneSeconds} its life, -1 for a plain delete) the node
         * missed, to replay when it is back. Beyond {@link #MAX_MISSED} per node it cannot be remembered: counted
         * and said, since such a session may come back from this node if no other node holds its tombstone.
         */
        void deleteLater(String key, int tombstoneSeconds) {
            hadTrouble = true;
            if (deletes.size() < MAX_MISSED || deletes.containsKey(key)) {
                deletes.merge(key, tombstoneSeconds, Math::max);
            } else {
                stats.droppedTombstones.increment();
                if (!deletesOverflowReported) {
                    deletesOverflowReported = true;
                    LOG.warn("Memcached {} is down and has missed more than {} logouts and session ends; further ones"
                            + " cannot be replayed to it when it is back (counted in droppedTombstones). Their copies on"
                            + " it can be restored until they expire unless another node holds their tombstone: keep"
                            + " replicas >= 1, or flush that node before it rejoins.", address, MAX_MISSED);
                }
            }
        }

        <T> Future<T> start(Call<T> call) {
            MemcachedClient c = client();
            if (c == null || open) {
                return null;
            }
            awaitFirstConnection(c);
            try {
                return call.start(c);
            } catch (RuntimeException e) {
                return null; // e.g. the client's input queue is full
            }
        }

        <T> T await(Future<T> f, long deadlineNanos, String op) throws StoreException {
            if (f == null) {
                throw new StoreException(op + " on Memcached " + address + ": "
                        + (open ? "skipped, the node is down" : "no connection"));
            }
            try {
                long wait = Math.max(0, deadlineNanos - System.nanoTime());
                T v = f.get(wait, TimeUnit.NANOSECONDS);
                failures.set(0);
                return v;
            } catch (TimeoutException e) {
                f.cancel(false);
                failed(op);
                throw new StoreException(op + " on Memcached " + address + " timed out after " + timeoutMillis + " ms");
            } catch (InterruptedException e) {
                f.cancel(false);
                Thread.currentThread().interrupt();
                throw new StoreException(op + " interrupted");
            } catch (ExecutionException | RuntimeException e) {
                Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                failed(op);
                throw new StoreException(op + " on Memcached " + address + " failed: " + c.getMessage());
            }
        }

        /**
         * A client connects in the background, and fails (cancels) calls made before it has. For a client
         * created moments ago, wait for its first connection, at most {@code timeout}: the first calls after
         * start-up must not fail for a node that is up.
         */
        private void awaitFirstConnection(MemcachedClient c) {
            long age = System.nanoTime() - createdAt;
            long grace = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            if (age > grace || !c.getAvailableServers().isEmpty()) {
                return;
            }
            long until = createdAt + grace;
            while (c.getAvailableServers().isEmpty() && System.nanoTime() < until) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void failed(String op) {
            hadTrouble = true;
            if (failures.incrementAndGet() >= FAILURES_TO_OPEN && !open) {
                open = true;
                stats.nodeOutages.increment();
                LOG.warn("Memcached {} is not answering ({} failed); it is skipped until it answers again. Sessions"
                        + " stay on this server and on the other nodes meanwhile.", address, op);
            }
        }

        /** The node's process id and start time, or null when it does not answer in time. */
        String incarnation() {
            MemcachedClient c = client();
            if (c == null) {
                return null;
            }
            Map<SocketAddress, Map<String, String>> all = c.getStats();
            for (Map<String, String> s : all.values()) {
                String pid = s.get("pid");
                String time = s.get("time");
                String uptime = s.get("uptime");
                if (pid != null && time != null && uptime != null) {
                    long started = Long.parseLong(time) - Long.parseLong(uptime);
                    return pid + "@" + started;
                }
            }
            return null;
        }

        /** Creating a client fails only for a host that does not resolve; retried every 5 s. */
        private MemcachedClient client() {
            MemcachedClient c = client;
            if (c != null || closed) {
                return c;
            }
            synchronized (this) {
                if (client != null) {
                    return client;
                }
                long now = System.currentTimeMillis();
                if (now < nextConnectAttempt) {
                    return null;
                }
                nextConnectAttempt = now + 5000;
                try {
                    InetSocketAddress a = new InetSocketAddress(address.host(), address.port());
                    if (a.isUnresolved()) {
                        throw new IOException("cannot resolve Memcached host '" + address.host() + "'");
                    }
                    ConnectionFactoryBuilder b = new ConnectionFactoryBuilder()
                            .setProtocol(username == null ? ConnectionFactoryBuilder.Protocol.TEXT
                                    : ConnectionFactoryBuilder.Protocol.BINARY)
                            .setDaemon(true)
                            .setOpTimeout(timeoutMillis)
                            .setOpQueueMaxBlockTime(timeoutMillis)
                            .setFailureMode(FailureMode.Cancel)
                            .setMaxReconnectDelay(2);
                    if (username != null) {
                        // SASL needs the binary protocol; PLAIN is what memcached's SASL set-ups offer (use TLS
                        // or a private network: PLAIN sends the password as is).
                        b.setAuthDescriptor(new net.spy.memcached.auth.AuthDescriptor(new String[] {"PLAIN"},
                                new net.spy.memcached.auth.PlainCallbackHandler(username, password)));
                    }
                    createdAt = System.nanoTime();
                    client = new MemcachedClient(b.build(), Collections.singletonList(a));
                    return client;
                } catch (IOException | RuntimeException e) {
                    if (!hadTrouble) {
                        LOG.warn("Memcached {} is not reachable ({}); retrying in the background", address, e.getMessage());
                    }
                    hadTrouble = true;
                    open = true;
                    return null;
                }
            }
        }

        void shutdown(long millis) {
            MemcachedClient c = client;
            if (c != null) {
                c.shutdown(millis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** A Memcached call that failed or timed out. */
    public static final class StoreException extends Exception {
        private static final long serialVersionUID = 1L;

        public StoreException(String message) {
            super(message, null, false, false);
        }
    }

    /** Stores our payloads as they are: no Java serialization, no compression, flags 0. */
    static final class RawBytes implements Transcoder<byte[]> {
        static final RawBytes INSTANCE = new RawBytes();

        @Override
        public boolean asyncDecode(CachedData d) {
            return false;
        }

        @Override
        public CachedData encode(byte[] o) {
            return new CachedData(0, o, getMaxSize());
        }

        @Override
        public byte[] decode(CachedData d) {
            return d.getData();
        }

        @Override
        public int getMaxSize() {
            return CachedData.MAX_SIZE;
        }
    }
}
