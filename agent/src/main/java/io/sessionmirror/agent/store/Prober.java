package io.sessionmirror.agent.store;

import io.sessionmirror.agent.support.AgentLog;
import org.slf4j.Logger;

/**
 * The circuit breaker's other half: a daemon thread that asks every node, once a second, for its process id
 * and start time. A node whose circuit is open and that answers again is closed and its misses replayed; a
 * node that restarted (another process id or start time) came back empty and is announced for a full
 * repair. A proxy (it answers {@code version} but not {@code stats}) is probed with {@code version}; its
 * incarnation is unknown, so it is treated as emptied after every outage. A node that does not answer, with
 * SASL on, gets its login checked once per outage, since spymemcached only says "Auth failure".
 */
final class Prober {

    private static final long PROBE_MILLIS = 1000;
    /** The incarnation of a node that does not tell it (a proxy): never seen to change. */
    private static final String UNKNOWN_INCARNATION = "unknown";

    private static final Logger LOG = AgentLog.get();

    private final Cluster cluster;
    private final Repairs repairs;
    private final Thread thread;
    /** Rounds done: every node asked once per round. */
    private final java.util.concurrent.atomic.AtomicLong rounds = new java.util.concurrent.atomic.AtomicLong();

    Prober(Cluster cluster, Repairs repairs) {
        this.cluster = cluster;
        this.repairs = repairs;
        this.thread = new Thread(this::run, "session-mirror-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!cluster.closed) {
            for (Node n : cluster.ring.nodes()) {
                try {
                    probe(n);
                } catch (Throwable e) {
                    LOG.debug("Probing Memcached {} failed: {}", n.address, e.toString());
                }
            }
            rounds.incrementAndGet();
            try {
                Thread.sleep(PROBE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long rounds() {
        return rounds.get();
    }

    /** Asks a node for its process id and start time: answers at all, and is it the same process? */
    private void probe(Node n) {
        if (!knowsWhatAnswers(n)) {
            n.failed("probe");
            return;
        }
        boolean proxy = n.kind == TextProtocolProbe.Kind.PROXY;
        // A proxy does not pass stats: it is probed with version, and its incarnation is unknown.
        String incarnation = proxy ? (n.version() == null ? null : UNKNOWN_INCARNATION) : n.incarnation();
        if (incarnation == null) {
            n.failed("probe");
            checkCredentials(n);
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
                    restarted ? " (restarted: it lost its data)"
                            : proxy ? " (a proxy: whether its servers restarted cannot be told, so every session"
                            + " that belongs on it is written again)" : "");
        } else if (restarted) {
            LOG.warn("Memcached {} restarted (it lost its data); writing again the sessions that belong on it", n.address);
        }
        if (wasOpen || restarted || firstSight && n.hadTrouble) {
            n.hadTrouble = false;
            repairs.announce(n, restarted || previous == null || n.missedOverflow || proxy);
        } else if (!n.missed.isEmpty() || !n.deletes.isEmpty()) {
            repairs.replay(n); // a single failed call: replay it, no full repair
        }
    }

    /**
     * Finds out, once per node and on sockets of its own, whether it answers {@code stats} (a proxy closes the
     * connection that asks, which on the store's connection would cancel the requests in flight). False while
     * nothing answers. With SASL every node speaks the binary protocol, and with TLS every node speaks TLS, which no
     * proxy we know passes: not asked.
     */
    private boolean knowsWhatAnswers(Node n) {
        if (n.kind != null || cluster.username != null || cluster.tls != null) {
            return true;
        }
        TextProtocolProbe.Kind kind = TextProtocolProbe.classify(n.address, (int) Math.max(cluster.timeoutMillis, 500));
        if (kind == TextProtocolProbe.Kind.UNREACHABLE) {
            return false;
        }
        n.kind = kind;
        if (kind == TextProtocolProbe.Kind.PROXY) {
            LOG.info("Memcached {} answers 'version' but not 'stats': a proxy (twemproxy?). It is probed with"
                    + " 'version'; a server behind it that restarts empty cannot be noticed, so sessions are written"
                    + " again after every outage of it.", n.address);
            if (cluster.replicas > 0) {
                LOG.warn("replicas={} with Memcached {} a proxy: a proxy shards and fails over by itself, and"
                        + " proxies in front of the same servers put the copies on the same server. Set replicas=0"
                        + " (see operations.md, 'Behind twemproxy').", cluster.replicas, n.address);
            }
        }
        return true;
    }

    /**
     * The client retries a refused login or TLS handshake forever and only says "Auth failure" or nothing: say
     * what is wrong, once per outage.
     */
    private void checkCredentials(Node n) {
        String username = cluster.username;
        if (username == null && cluster.tls == null || n.credentialsChecked) {
            return;
        }
        n.credentialsChecked = true;
        int timeout = (int) Math.max(cluster.timeoutMillis, 1000);
        String answer = username == null ? VersionCheck.ask(n.address, timeout, cluster.tls)
                : SaslCheck.authenticate(n.address, username, cluster.password, timeout, cluster.tls);
        if (answer.startsWith(VersionCheck.TLS_FAILED)) {
            LOG.warn("Memcached {} refuses the TLS connection: {}. Sessions stay on this server and on the other"
                    + " nodes until it is fixed; see docs/operations.md, 'TLS'.", n.address,
                    answer.substring(VersionCheck.TLS_FAILED.length()));
        }
        if (answer.startsWith("authentication failed")) {
            LOG.warn("Memcached {} refuses the SASL login of user '{}': {}. Sessions stay on this server until"
                    + " 'username'/'password' match the node's SASL users (memcached -S).", n.address, username,
                    answer);
        }
    }

    void close() {
        thread.interrupt();
    }
}
