package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.config.TlsSettings;
import io.sessionmirror.agent.support.AgentLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.auth.PlainCallbackHandler;
import org.slf4j.Logger;

/**
 * One Memcached node: its client (one spymemcached-style client per node, configured so a node that is down fails
 * calls at once instead of queueing them, and is reconnected in the background), its circuit breaker, and
 * the keys it missed while it was away.
 */
final class Node {

    static final int FAILURES_TO_OPEN = 3;
    /** Keys remembered per node for replay; beyond that the node gets a full repair when it is back. */
    static final int MAX_MISSED = 100_000;

    private static final Logger LOG = AgentLog.get();

    /** A function of a client that starts an asynchronous Memcached call. */
    interface Call<T> {
        Future<T> start(MemcachedClient c);
    }

    final NodeAddress address;
    private final Cluster cluster;
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
    /** What the prober found at the address (a proxy is probed without {@code stats}); null until known. */
    volatile TextProtocolProbe.Kind kind;
    final Set<String> missed = ConcurrentHashMap.newKeySet();
    /** Deletes and tombstones it missed: the tombstone's life in seconds, -1 for a plain delete. */
    final Map<String, Integer> deletes = new ConcurrentHashMap<>();
    private volatile boolean deletesOverflowReported;

    Node(NodeAddress address, Cluster cluster) {
        this.address = address;
        this.cluster = cluster;
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
            cluster.stats.droppedTombstones.increment();
            if (!deletesOverflowReported) {
                deletesOverflowReported = true;
                LOG.warn("Memcached {} is down and has missed more than {} logouts and session ends; further ones"
                        + " cannot be replayed to it when it is back (counted in droppedTombstones). Their copies on"
                        + " it can be restored until they expire unless another node holds their tombstone: keep"
                        + " replicas >= 1, or flush that node before it rejoins.", address, MAX_MISSED);
            }
        }
    }

    /** Starts a call, or returns null when the node is skipped or has no client (awaiting null fails). */
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

    /** Starts one call and waits for it, at most the store's timeout. */
    <T> T call(Call<T> call, String op) throws StoreException {
        Future<T> f = start(call);
        return await(f, cluster.deadline(), op);
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
            throw new StoreException(op + " on Memcached " + address + " timed out after " + cluster.timeoutMillis
                    + " ms");
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
        long grace = TimeUnit.MILLISECONDS.toNanos(cluster.timeoutMillis);
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

    /** One more failure in a row: at {@link #FAILURES_TO_OPEN} the circuit opens. */
    void failed(String op) {
        hadTrouble = true;
        if (failures.incrementAndGet() >= FAILURES_TO_OPEN && !open) {
            open = true;
            cluster.stats.nodeOutages.increment();
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

    /**
     * The version a node answers, or null when it does not answer in time: the probe of a proxy, which passes
     * {@code version} to one of its servers but not {@code stats}.
     */
    String version() {
        MemcachedClient c = client();
        if (c == null) {
            return null;
        }
        for (String v : c.getVersions().values()) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** Creating a client fails only for a host that does not resolve; retried every 5 s. */
    private MemcachedClient client() {
        MemcachedClient c = client;
        if (c != null || cluster.closed) {
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
                createdAt = System.nanoTime();
                client = new SaslReadyClient(connection().build(), Collections.singletonList(a));
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

    private ConnectionFactoryBuilder connection() {
        String username = cluster.username;
        ConnectionFactoryBuilder b = new ConnectionFactoryBuilder()
                // the ElastiCache client's default, Dynamic, would take the one address for a configuration
                // endpoint and ask it for the cluster's nodes: each Node is one memcached
                .setClientMode(ClientMode.Static)
                .setProtocol(username == null ? ConnectionFactoryBuilder.Protocol.TEXT
                        : ConnectionFactoryBuilder.Protocol.BINARY)
                .setDaemon(true)
                .setOpTimeout(cluster.timeoutMillis)
                .setOpQueueMaxBlockTime(cluster.timeoutMillis)
                .setFailureMode(FailureMode.Cancel)
                .setMaxReconnectDelay(2);
        TlsSettings tls = cluster.tls;
        if (tls != null) {
            b.setSSLContext(tls.sslContext());
            if (tls.verifyHostname()) {
                b.setHostnameForTlsVerification(address.host()); // one client per node: its own name
            } else {
                b.setSkipTlsHostnameVerification(true);
            }
        }
        if (username != null) {
            // SASL needs the binary protocol; PLAIN is what memcached's SASL set-ups offer (use TLS
            // or a private network: PLAIN sends the password as is).
            b.setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"},
                    new PlainCallbackHandler(username, cluster.password)));
        }
        return b;
    }

    void shutdown(long millis) {
        MemcachedClient c = client;
        if (c != null) {
            c.shutdown(millis, TimeUnit.MILLISECONDS);
        }
    }
}
