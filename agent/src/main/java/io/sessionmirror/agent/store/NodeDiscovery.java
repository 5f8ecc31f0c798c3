package io.sessionmirror.agent.store;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.support.AgentLog;
import java.security.Security;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.SocketFactory;
import org.slf4j.Logger;

/**
 * Follows the {@code dns:} and {@code config:} entries of {@code nodes}: looks each up every
 * {@code discovery.interval} seconds on a daemon thread and hands the store the full node list (the plain
 * entries and every source's nodes) when it changed. What it refuses to follow:
 * <ul>
 *   <li>a source that fails (not reachable, not answering in time, a malformed answer) keeps its last known
 *       nodes: said once per outage, each failure counted ({@code discovery_failures});</li>
 *   <li>a configuration version lower than one already seen (a stale endpoint) and an empty list (a cluster
 *       in the middle of a replacement, a name with no ready pod) are ignored with a warning: emptying the
 *       ring would only make every session unreachable.</li>
 * </ul>
 */
public final class NodeDiscovery implements AutoCloseable {

    private static final Logger LOG = AgentLog.get();

    /** One source and what it last said. */
    private static final class Followed {
        final NodeSource source;
        List<NodeAddress> nodes;
        long version = -1;
        boolean failing;
        long warnedVersion = -1;
        boolean warnedEmpty;

        Followed(NodeSource source) {
            this.source = source;
        }
    }

    private final List<NodeAddress> plain = new ArrayList<>();
    private final List<Followed> sources = new ArrayList<>();
    private final Counters stats;
    private final int intervalSeconds;
    private final ScheduledExecutorService thread;
    private List<NodeAddress> handed;
    private Consumer<List<NodeAddress>> sink;

    NodeDiscovery(List<NodeAddress> plain, List<NodeSource> sources, int intervalSeconds, Counters stats) {
        this.plain.addAll(plain);
        for (NodeSource s : sources) {
            this.sources.add(new Followed(s));
        }
        this.intervalSeconds = intervalSeconds;
        this.stats = stats;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "session-mirror-discovery");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The discovery of these {@code nodes} entries, or null when none is a {@code dns:} or {@code config:} entry.
     * Config endpoints are reached through {@code sockets} (an SSLSocketFactory with TLS), each exchange bounded
     * by {@code timeoutMillis}.
     */
    public static NodeDiscovery of(List<NodeAddress> entries, SocketFactory sockets, int timeoutMillis,
                                   int intervalSeconds, Counters stats) {
        List<NodeAddress> plain = new ArrayList<>();
        List<NodeSource> sources = new ArrayList<>();
        for (NodeAddress e : entries) {
            if (e.isDiscovered()) {
                sources.add(NodeSource.of(e, sockets, timeoutMillis));
            } else {
                plain.add(e);
            }
        }
        return sources.isEmpty() ? null : new NodeDiscovery(plain, sources, intervalSeconds, stats);
    }

    /**
     * The first lookup of every source, waiting at most {@code waitMillis} (a DNS lookup is not bounded by the
     * store's timeout): the node list to start the store with. When it takes longer, the store starts with the
     * plain entries only and gets the rest when the lookup is done.
     */
    public List<NodeAddress> firstList(long waitMillis) {
        int dnsTtl = jvmDnsCacheSeconds();
        for (Followed f : sources) {
            if (f.source instanceof DnsNodes) {
                LOG.info("{} is resolved every {} s; this JVM caches DNS answers {} (networkaddress.cache.ttl), so a"
                        + " change of the name shows within {}", f.source.entry(), intervalSeconds,
                        dnsTtl < 0 ? "forever" : "for " + dnsTtl + " s",
                        dnsTtl < 0 ? "never: set networkaddress.cache.ttl" : intervalSeconds + dnsTtl + " s");
                break;
            }
        }
        Future<?> first = thread.submit(this::refresh);
        try {
            first.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Looking up the Memcached nodes takes longer than {} ms; starting with {} and following the"
                    + " lookup when it is done", waitMillis, plain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("Looking up the Memcached nodes failed: {}", e.getCause().toString());
        }
        return current();
    }

    /** From now on hands every changed list to {@code sink}, looking up every {@code discovery.interval}. */
    public void follow(Consumer<List<NodeAddress>> newSink, List<NodeAddress> storeHas) {
        synchronized (this) {
            sink = newSink;
            if (handed != null && !handed.equals(storeHas)) {
                stats.nodeListChanges.increment();
                sink.accept(handed); // the first lookup ended after the store was made
            }
        }
        thread.scheduleWithFixedDelay(this::refresh, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    /** The node list now: the last one handed on, or the plain entries while no source has answered. */
    public synchronized List<NodeAddress> current() {
        return handed != null ? handed : Collections.unmodifiableList(new ArrayList<>(plain));
    }

    /** One round: every source looked up, the list handed on when it changed. Never throws. */
    synchronized void refresh() {
        for (Followed f : sources) {
            try {
                take(f, f.source.lookUp());
            } catch (Exception | LinkageError e) {
                stats.discoveryFailures.increment();
                if (!f.failing) {
                    f.failing = true;
                    LOG.warn("Looking up Memcached nodes from {} failed ({}); keeping {} until it answers again",
                            f.source.entry(), e.getMessage() == null ? e.toString() : e.getMessage(),
                            f.nodes == null ? "the other entries" : "its last list " + f.nodes);
                }
            }
        }
        Set<NodeAddress> all = new LinkedHashSet<>(plain);
        boolean any = false;
        for (Followed f : sources) {
            if (f.nodes != null) {
                all.addAll(f.nodes);
                any = true;
            }
        }
        List<NodeAddress> now = Collections.unmodifiableList(new ArrayList<>(all));
        if (!any && handed == null || now.equals(handed)) {
            return;
        }
        handed = now;
        if (sink != null) {
            stats.nodeListChanges.increment();
            try {
                sink.accept(now);
            } catch (RuntimeException e) {
                LOG.warn("Moving to the Memcached nodes {} failed: {}", now, e.toString());
            }
        }
    }

    /** What one answer changes for its source: the decisions of the class comment. */
    private void take(Followed f, ClusterConfig c) {
        if (f.failing) {
            f.failing = false;
            LOG.info("{} answers again: {}", f.source.entry(), c);
        }
        if (c.version >= 0 && c.version < f.version) {
            stats.discoveryFailures.increment();
            if (f.warnedVersion != c.version) {
                f.warnedVersion = c.version;
                LOG.warn("{} answered configuration version {}, older than version {} seen before; ignored, keeping {}",
                        f.source.entry(), c.version, f.version, f.nodes);
            }
            return;
        }
        if (c.nodes.isEmpty()) {
            stats.discoveryFailures.increment();
            if (!f.warnedEmpty) {
                f.warnedEmpty = true;
                LOG.warn("{} lists no Memcached node; ignored, keeping {}", f.source.entry(),
                        f.nodes == null ? "the other entries" : f.nodes);
            }
            return;
        }
        f.warnedEmpty = false;
        f.version = c.version;
        f.nodes = c.nodes;
    }

    /**
     * How long this JVM caches a successful DNS lookup, in seconds (-1: forever), as the JDK decides it: the
     * security property {@code networkaddress.cache.ttl}, else the system property {@code sun.net.inetaddr.ttl},
     * else 30 s (no security manager). Only read: the agent never changes it, it is the whole JVM's.
     */
    static int jvmDnsCacheSeconds() {
        String v = Security.getProperty("networkaddress.cache.ttl");
        if (v == null) {
            v = System.getProperty("sun.net.inetaddr.ttl");
        }
        try {
            return v == null ? 30 : Math.max(-1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 30;
        }
    }

    /** The entry's nodes now, looked up once (the {@code check} command); throws what the lookup threw. */
    public static List<NodeAddress> lookUpOnce(NodeAddress entry, SocketFactory sockets, int timeoutMillis)
            throws java.io.IOException {
        return NodeSource.of(entry, sockets, timeoutMillis).lookUp().nodes;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
