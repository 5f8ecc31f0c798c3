package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.TlsSettings;
import io.sessionmirror.agent.metrics.Counters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the parts of a {@link MemcachedStore} share: its settings, its copy order, and the ring of nodes it
 * speaks to now (replaced whole when the node list changes).
 */
final class Cluster {

    /** Memcached treats expiry times above 30 days as absolute Unix times. */
    static final int MAX_RELATIVE_EXPIRY = 30 * 24 * 3600;

    final long timeoutMillis;
    final int replicas;
    final Counters stats;
    final CopyOrder order;
    /** With a user name, every node is spoken to over the binary protocol and authenticated with SASL PLAIN. */
    final String username;
    final String password;
    /** TLS to every node, or null for plain connections. */
    final TlsSettings tls;
    volatile NodeRing<Node> ring;
    volatile boolean closed;

    Cluster(long timeoutMillis, int replicas, Counters stats, CopyOrder order, String username, String password,
            TlsSettings tls) {
        this.timeoutMillis = timeoutMillis;
        this.replicas = replicas;
        this.stats = stats;
        this.order = order;
        this.username = username;
        this.password = password;
        this.tls = tls;
    }

    NodeRing<Node> ringOf(List<NodeAddress> addresses) {
        List<Node> nodes = new ArrayList<>();
        for (NodeAddress a : addresses) {
            nodes.add(new Node(a, this));
        }
        return new NodeRing<>(nodes, n -> n.address.toString());
    }

    /** When a call started now must have answered: every call a request thread makes is bounded by this. */
    long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** How many nodes hold each session: {@code replicas + 1}, or fewer when there are fewer nodes. */
    int copies() {
        return Math.min(replicas + 1, ring.size());
    }

    /** The first {@code count} nodes of a preference list that are not skipped by their circuit breaker. */
    static List<Node> live(List<Node> preference, int count) {
        List<Node> out = new ArrayList<>(count);
        for (Node n : preference) {
            if (!n.open && out.size() < count) {
                out.add(n);
            }
        }
        return out;
    }

    /** The nodes whose circuit is open (skipped until they answer again). */
    List<NodeAddress> nodesDown() {
        List<NodeAddress> out = new ArrayList<>();
        for (Node n : ring.nodes()) {
            if (n.open) {
                out.add(n.address);
            }
        }
        return out;
    }

    /** The error of a call no node answered: the last node's error, or which nodes are down. */
    StoreException noAnswer(String lastError) {
        return new StoreException(lastError == null ? "no Memcached node is available (down: " + nodesDown() + ")"
                : lastError);
    }

    /** Memcached's expiry for a lifetime of {@code seconds}: relative up to 30 days, absolute beyond. */
    static int expiry(int seconds) {
        if (seconds <= 0) {
            return 0;
        }
        if (seconds <= MAX_RELATIVE_EXPIRY) {
            return seconds;
        }
        return (int) Math.min(Integer.MAX_VALUE, System.currentTimeMillis() / 1000 + seconds);
    }
}
