package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.TlsSettings;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.support.AgentLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The Memcached cluster, with a hard time bound on every call a request thread makes.
 * <ul>
 *   <li><b>Placement.</b> Nodes sit on a consistent-hash ring ({@link NodeRing}); a key's copies go to the
 *       first {@code replicas + 1} distinct nodes clockwise from it that are up, so losing or adding a node
 *       moves only that node's share of the keys.</li>
 *   <li><b>Reads</b> ask those nodes and the next one in parallel and return the newest copy
 *       ({@link CopyOrder#compare}: a tombstone is newer than any copy); a node that answered with nothing or
 *       an older copy is repaired in the background ({@link Repairs}).</li>
 *   <li><b>Writes</b> are conditional ({@link ConditionalWrite}): a value replaces only an older one.</li>
 *   <li><b>Circuit breaker.</b> A node that fails {@value Node#FAILURES_TO_OPEN} calls in a row is skipped at
 *       once (no waiting) until a background probe ({@link Prober}) finds it answering again. The probe also
 *       notices a node that restarted (its process id or start time changed): it came back empty.</li>
 *   <li><b>Recovery.</b> Writes and deletes a node missed are remembered per node and replayed when it is
 *       back; a node that came back empty (or was replaced) is announced to the {@link StoreListener}s, which
 *       write again every session that belongs on it.</li>
 * </ul>
 */
public final class MemcachedStore implements SessionStore {

    private static final Logger LOG = AgentLog.get();

    private final Cluster cluster;
    private final Repairs repairs;
    private final Prober prober;
    private final MemcachedLocks locks;
    private volatile NodeDiscovery discovery;

    /**
     * @param order how stored values are ordered (the payload format's owner knows); with a user name, every
     *              node is spoken to over the binary protocol and authenticated with SASL PLAIN
     */
    public MemcachedStore(List<NodeAddress> nodes, long timeoutMillis, int replicas, Counters stats, String username,
                          String password, CopyOrder order) {
        this(nodes, timeoutMillis, replicas, stats, username, password, order, null);
    }

    /** @param tls TLS to every node (see {@link TlsSettings}), or null for plain connections */
    public MemcachedStore(List<NodeAddress> nodes, long timeoutMillis, int replicas, Counters stats, String username,
                          String password, CopyOrder order, TlsSettings tls) {
        cluster = new Cluster(timeoutMillis, replicas, stats, order, username, password, tls);
        cluster.ring = cluster.ringOf(nodes);
        locks = new MemcachedLocks(cluster);
        repairs = new Repairs(cluster, this::repairKey);
        prober = new Prober(cluster, repairs);
    }

    @Override
    public long timeoutMillis() {
        return cluster.timeoutMillis;
    }

    @Override
    public void addListener(StoreListener l) {
        repairs.addListener(l);
    }

    @Override
    public int copies() {
        return cluster.copies();
    }

    /**
     * Moves to another node list (a second attach with new {@code nodes}): new operations go to the new
     * nodes at once; the old clients finish what they have in flight and are shut down in the background.
     * Every session is then written to the new nodes.
     */
    @Override
    public synchronized void switchNodes(List<NodeAddress> newNodes) {
        NodeRing<Node> old = cluster.ring;
        cluster.ring = cluster.ringOf(newNodes);
        shutDownLater(old.nodes());
        for (Node n : cluster.ring.nodes()) {
            n.everSeen = true; // announce as emptied below, not again at its first probe
            repairs.announce(n, true);
        }
    }

    /**
     * Follows {@code discovery} (the {@code dns:} and {@code config:} entries of {@code nodes}) from now on:
     * every changed node list is a {@link #changeMembership}; closing the store stops it.
     */
    public void follow(NodeDiscovery discovery) {
        this.discovery = discovery;
        discovery.follow(this::changeMembership, nodes());
    }

    /**
     * A membership change (discovery found nodes added or removed), unlike {@link #switchNodes}: the nodes
     * that stay keep their client, circuit breaker and what they missed; new nodes get a client; removed
     * ones are shut down in the background. The ring is rebuilt (consistent hashing: only the keys of the
     * added and removed nodes move). Then the {@link StoreListener}s write again every session that now
     * belongs on a node that may lack it: a new node, and after a removal every node that stays (each may
     * have taken over some of the removed node's keys; a read finds the surviving copy and repairs).
     */
    public synchronized void changeMembership(List<NodeAddress> addresses) {
        NodeRing<Node> old = cluster.ring;
        Map<NodeAddress, Node> have = new HashMap<>();
        for (Node n : old.nodes()) {
            have.put(n.address, n);
        }
        MembershipChange change = MembershipChange.of(new ArrayList<>(have.keySet()), addresses);
        if (change.isEmpty()) {
            return;
        }
        List<Node> nodes = new ArrayList<>();
        List<Node> added = new ArrayList<>();
        if (addresses.isEmpty()) {
            LOG.warn("An empty Memcached node list was ignored; staying with {}", nodes());
            return;
        }
        for (NodeAddress a : new java.util.LinkedHashSet<>(addresses)) {
            Node n = have.get(a);
            if (n == null) {
                n = new Node(a, cluster);
                added.add(n);
            }
            nodes.add(n);
        }
        cluster.ring = new NodeRing<>(nodes, n -> n.address.toString());
        LOG.info("Memcached nodes changed: added {}, removed {}; now {} nodes{}", change.added, change.removed,
                nodes.size(), nodes.size() < cluster.replicas + 1 ? " (fewer than replicas + 1 = " + (cluster.replicas + 1)
                        + ": each session is kept " + nodes.size() + " times)" : "");
        List<Node> removed = new ArrayList<>();
        for (NodeAddress a : change.removed) {
            removed.add(have.get(a));
        }
        shutDownLater(removed);
        for (Node n : change.removed.isEmpty() ? added : nodes) {
            n.everSeen = true; // announced now, not again at its first probe
            repairs.announce(n, true);
        }
    }

    /** The clients of nodes no longer used finish what they have in flight, then are shut down. */
    private void shutDownLater(List<Node> gone) {
        if (gone.isEmpty()) {
            return;
        }
        Thread t = new Thread(() -> {
            for (Node n : gone) {
                n.shutdown(cluster.timeoutMillis * 2);
            }
        }, "session-mirror-old-client");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public List<NodeAddress> nodes() {
        List<NodeAddress> out = new ArrayList<>();
        for (Node n : cluster.ring.nodes()) {
            out.add(n.address);
        }
        return out;
    }

    /** The node object now used for an address, or null (tests: a membership change keeps those that stay). */
    Node node(NodeAddress address) {
        for (Node n : cluster.ring.nodes()) {
            if (n.address.equals(address)) {
                return n;
            }
        }
        return null;
    }

    @Override
    public List<NodeAddress> nodesDown() {
        return cluster.nodesDown();
    }

    @Override
    public boolean belongsTo(String key, NodeAddress node) {
        for (Node n : Cluster.live(cluster.ring.preference(key), copies())) {
            if (n.address.equals(node)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- operations

    /** The newest stored copy, or null when no node holds the key. */
    @Override
    public byte[] get(String key) throws StoreException {
        int copies = copies();
        // One node beyond the replicas: it holds the keys written while one of their nodes was down.
        List<Node> asked = Cluster.live(cluster.ring.preference(key), copies + 1);
        FanOut<byte[]> read = FanOut.run(cluster, asked, c -> c.asyncGet(key, RawBytes.INSTANCE), "get", n -> { });
        CopyOrder order = cluster.order;
        byte[] newest = null;
        for (int i = 0; i < read.size(); i++) {
            if (read.answered(i) && order.compare(read.value(i), newest) > 0) {
                newest = read.value(i);
            }
        }
        if (newest != null) {
            // Nodes that should hold the newest copy and do not: repair in the background.
            for (int i = 0; i < read.size() && i < copies; i++) {
                Node n = read.node(i);
                if (!read.answered(i)) {
                    n.missed(key);
                } else if (order.compare(newest, read.value(i)) > 0) {
                    repairs.copyTo(n, key, newest);
                }
            }
        }
        return newest;
    }

    /**
     * Starts a write of {@code value} to every node that should hold the key, where it is newer than what the
     * node holds ({@link CopyOrder#decide}); the timeout counts from here.
     */
    @Override
    public PendingWrite startSet(String key, byte[] value, int expirySeconds) {
        List<Node> preference = cluster.ring.preference(key);
        int copies = copies();
        List<Node> targets = Cluster.live(preference, copies);
        for (int i = 0; i < copies && i < preference.size(); i++) {
            if (preference.get(i).open) {
                preference.get(i).missed(key); // its natural home is down: written there when it is back
            }
        }
        return new ConditionalWrite(cluster, key, value, expirySeconds, targets, null, false);
    }

    /**
     * A tombstone on every node that is up (a copy written while a node was down may sit on a node that is not
     * one of its homes any more), over whatever is stored; nodes that are down get it when they are back.
     */
    @Override
    public PendingWrite startTombstone(String key, int expirySeconds, Predicate<byte[]> onlyIf) {
        CopyOrder order = cluster.order;
        byte[] stone = order.tombstone(expirySeconds);
        List<Node> up = new ArrayList<>();
        for (Node n : cluster.ring.nodes()) {
            if (n.open) {
                if (onlyIf == null) {
                    n.deleteLater(key, order.expiryOf(stone));
                }
            } else {
                up.add(n);
            }
        }
        return new ConditionalWrite(cluster, key, stone, order.expiryOf(stone), up, onlyIf, true);
    }

    /** Extends the expiry of every copy; returns false when no node holds the key. */
    @Override
    public boolean touch(String key, int expirySeconds) throws StoreException {
        int exp = Cluster.expiry(expirySeconds);
        List<Node> targets = Cluster.live(cluster.ring.preference(key), copies());
        FanOut<Boolean> touched = FanOut.run(cluster, targets, c -> c.touch(key, exp), "touch", n -> n.missed(key));
        int found = 0;
        for (int i = 0; i < touched.size(); i++) {
            if (Boolean.TRUE.equals(touched.value(i))) {
                found++;
            }
        }
        if (found > 0 && found < touched.answers()) {
            repairs.repairKey(key); // a copy is missing (its node restarted): copy the newest there
        }
        return found > 0;
    }

    /**
     * Deletes every copy, on every node that is up (a copy written while a node was down may sit on a node
     * that is not one of its homes any more). Nodes that are down delete it when they are back.
     */
    public boolean delete(String key) throws StoreException {
        List<Node> up = new ArrayList<>();
        for (Node n : cluster.ring.nodes()) {
            if (n.open) {
                n.deleteLater(key, -1);
            } else {
                up.add(n);
            }
        }
        FanOut<Boolean> deleted = FanOut.run(cluster, up, c -> c.delete(key), "delete", n -> n.deleteLater(key, -1));
        for (int i = 0; i < deleted.size(); i++) {
            if (Boolean.TRUE.equals(deleted.value(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean tryLock(String key, String token, int ttlSeconds) throws StoreException {
        return locks.tryLock(key, token, ttlSeconds);
    }

    @Override
    public boolean renewLock(String key, String token, int ttlSeconds) throws StoreException {
        return locks.renewLock(key, token, ttlSeconds);
    }

    @Override
    public boolean unlock(String key, String token) throws StoreException {
        return locks.unlock(key, token);
    }

    // ---------------------------------------------------------------- repair

    @Override
    public int repairsPending() {
        return repairs.pending();
    }

    /**
     * Probe rounds done (every node asked once a round): a restart is noticed only against a process seen
     * before it, so a test that restarts a node first waits for a round.
     */
    public long probeRounds() {
        return prober.rounds();
    }

    /** The read repairs: it copies the newest copy where it is missing or older. */
    @Override
    public boolean repairKey(String key) {
        try {
            return get(key) != null;
        } catch (StoreException e) {
            return true; // nothing answered: nothing to conclude; the next recovery tries again
        }
    }

    @Override
    public void close() {
        cluster.closed = true;
        NodeDiscovery d = discovery;
        if (d != null) {
            d.close();
        }
        prober.close();
        repairs.close();
        for (Node n : cluster.ring.nodes()) {
            n.shutdown(1000);
        }
    }
}
