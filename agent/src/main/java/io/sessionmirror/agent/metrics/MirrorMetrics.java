package io.sessionmirror.agent.metrics;

import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.core.WriteBehindQueue;
import io.sessionmirror.agent.support.AgentLog;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;

/**
 * The counters of the agent and of each web app, and where they are shown: a JMX MBean each (registered
 * lazily, at the first request of a web app, never in premain: some servers set up JMX themselves after
 * start), the Prometheus text format ({@link PrometheusEndpoint}) and the periodic summary line.
 */
public final class MirrorMetrics {

    private static final Logger LOG = AgentLog.get();

    private final MirrorStats agent;
    private final WriteBehindQueue queue;
    private final Map<String, View> apps = new ConcurrentHashMap<>();
    private volatile View agentView;

    public MirrorMetrics(MirrorStats agent, WriteBehindQueue queue) {
        this.agent = agent;
        this.queue = queue;
    }

    /** The counters of one web app (created, and its MBean registered, on first use). */
    public MirrorStats of(WebApp app) {
        MirrorStats s = app.stats;
        if (s != null) {
            return s;
        }
        View v = apps.computeIfAbsent(app.namespace(), ns -> {
            String label = label(ns);
            View created = new View(app.toString(), label, new MirrorStats(agent));
            register(created, "type=WebApp,name=" + ObjectName.quote(label));
            return created;
        });
        app.stats = v.stats;
        agentView();
        return v.stats;
    }

    /** "sm:_:/shop:" (prefix, host, path) to "_:/shop" (host, path): the same on every server of a cluster. */
    static String label(String namespace) {
        int start = namespace.indexOf(':') + 1;
        int end = namespace.endsWith(":") ? namespace.length() - 1 : namespace.length();
        return start > 0 && start <= end ? namespace.substring(start, end) : namespace;
    }

    private View agentView() {
        View v = agentView;
        if (v == null) {
            synchronized (this) {
                if (agentView == null) {
                    agentView = new View("all web apps", null, agent);
                    register(agentView, "type=Agent");
                }
                v = agentView;
            }
        }
        return v;
    }

    private static void register(View v, String properties) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("sessionmirror:" + properties);
            if (!server.isRegistered(name)) {
                server.registerMBean(new javax.management.StandardMBean(v, MirrorMetricsMBean.class), name);
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("Could not register the JMX MBean {}: {}", properties, e.toString());
        }
    }

    /** The agent's view, then every web app's. */
    public List<View> views() {
        List<View> out = new ArrayList<>();
        out.add(agentView());
        out.addAll(apps.values());
        return out;
    }

    public MirrorStats agent() {
        return agent;
    }

    /** One MBean: a set of counters and the queue they share. */
    public final class View implements MirrorMetricsMBean {
        final String webApp;
        /** The web app as "host:path" ("_" for the default host), or null for the agent. */
        final String namespace;
        final MirrorStats stats;

        View(String webApp, String namespace, MirrorStats stats) {
            this.webApp = webApp;
            this.namespace = namespace;
            this.stats = stats;
        }

        @Override
        public String getWebApp() {
            return webApp;
        }

        @Override
        public long getRequests() {
            return stats.requests.sum();
        }

        @Override
        public double getAgentMicrosPerRequest() {
            long n = stats.requests.sum();
            return n == 0 ? 0 : stats.requestNanos.sum() / 1000.0 / n;
        }

        @Override
        public long getWrites() {
            return stats.writes.sum();
        }

        @Override
        public long getWritesSkippedUnchanged() {
            return stats.unchanged.sum();
        }

        @Override
        public long getTouches() {
            return stats.touches.sum();
        }

        @Override
        public long getBytesWritten() {
            return stats.writeBytes.sum();
        }

        @Override
        public long getLoadHits() {
            return stats.loadHits.sum();
        }

        @Override
        public long getLoadMisses() {
            return stats.loadMisses.sum();
        }

        @Override
        public long getDeletes() {
            return stats.deletes.sum();
        }

        @Override
        public long getFailures() {
            return stats.failures.sum();
        }

        @Override
        public long getStoreFailures() {
            return stats.storeFailures.sum();
        }

        @Override
        public long getSerializeFailures() {
            return stats.serializeFailures.sum();
        }

        @Override
        public long getQueueFullDrops() {
            return stats.queueFull.sum();
        }

        @Override
        public long getRejectedEntries() {
            return stats.rejectedEntries.sum();
        }

        @Override
        public long getOversizedSessions() {
            return stats.oversizedSessions.sum();
        }

        @Override
        public long getRefusedWrites() {
            return stats.refusedWrites.sum();
        }

        @Override
        public long getDroppedTombstones() {
            return stats.droppedTombstones.sum();
        }

        @Override
        public long getLostLocks() {
            return stats.lostLocks.sum();
        }

        @Override
        public long getSkippedAttributes() {
            return stats.skippedAttributes.sum();
        }

        @Override
        public long getReplicaRepairs() {
            return stats.replicaRepairs.sum();
        }

        @Override
        public long getRecoveryWrites() {
            return stats.recoveryWrites.sum();
        }

        @Override
        public long getNodeOutages() {
            return stats.nodeOutages.sum();
        }

        @Override
        public long getStaleRefreshes() {
            return stats.staleRefreshes.sum();
        }

        @Override
        public long getLockWaits() {
            return stats.lockWaits.sum();
        }

        @Override
        public long getLockTimeouts() {
            return stats.lockTimeouts.sum();
        }

        @Override
        public int getQueueDepth() {
            return queue.depth();
        }

        @Override
        public double getWriteLatencyP50Millis() {
            return stats.writeNanos.percentile(50) / 1e6;
        }

        @Override
        public double getWriteLatencyP99Millis() {
            return stats.writeNanos.percentile(99) / 1e6;
        }

        @Override
        public double getSerializeP50Micros() {
            return stats.serializeNanos.percentile(50) / 1e3;
        }

        @Override
        public double getSerializeP99Micros() {
            return stats.serializeNanos.percentile(99) / 1e3;
        }
    }

    /** Every counter in the Prometheus text exposition format (version 0.0.4). */
    public String prometheus() {
        StringBuilder out = new StringBuilder(4096);
        counter(out, "requests", "Requests with a session", s -> s.requests.sum());
        counter(out, "writes", "Sessions written to Memcached", s -> s.writes.sum());
        counter(out, "writes_unchanged", "Writes skipped because nothing changed", s -> s.unchanged.sum());
        counter(out, "touches", "Expiry refreshes of unchanged sessions", s -> s.touches.sum());
        counter(out, "written_bytes", "Bytes written to Memcached", s -> s.writeBytes.sum());
        counter(out, "load_hits", "Sessions restored from Memcached", s -> s.loadHits.sum());
        counter(out, "load_misses", "Lookups that found nothing in Memcached", s -> s.loadMisses.sum());
        counter(out, "deletes", "Stored sessions deleted", s -> s.deletes.sum());
        counter(out, "store_failures", "Memcached calls that failed or timed out", s -> s.storeFailures.sum());
        counter(out, "serialize_failures", "Sessions that could not be serialized", s -> s.serializeFailures.sum());
        counter(out, "queue_full", "Writes dropped because the write queue was full", s -> s.queueFull.sum());
        counter(out, "rejected_entries", "Stored values refused (signature, filter)", s -> s.rejectedEntries.sum());
        counter(out, "oversized_sessions", "Writes skipped because the session exceeded max.size",
                s -> s.oversizedSessions.sum());
        counter(out, "refused_writes", "Writes refused because Memcached held a newer copy or the session's tombstone",
                s -> s.refusedWrites.sum());
        counter(out, "dropped_tombstones", "Session ends a down node missed beyond what could be remembered for it",
                s -> s.droppedTombstones.sum());
        counter(out, "lost_locks", "Session locks found taken by another server at renewal", s -> s.lostLocks.sum());
        counter(out, "skipped_attributes", "Attributes left out as not serializable", s -> s.skippedAttributes.sum());
        counter(out, "replica_repairs", "Copies repaired on another node", s -> s.replicaRepairs.sum());
        counter(out, "recovery_writes", "Sessions rewritten after a node came back", s -> s.recoveryWrites.sum());
        counter(out, "node_outages", "Times a node's circuit breaker opened", s -> s.nodeOutages.sum());
        counter(out, "stale_refreshes", "Local copies refreshed from a newer stored version", s -> s.staleRefreshes.sum());
        counter(out, "lock_waits", "Requests that waited for a session lock", s -> s.lockWaits.sum());
        counter(out, "lock_timeouts", "Requests that went on without a session lock", s -> s.lockTimeouts.sum());
        counter(out, "request_seconds", "Time the agent spent on request threads", s -> s.requestNanos.sum(), 1e-9);
        out.append("# HELP sessionmirror_queue_depth Sessions waiting for an asynchronous write\n");
        out.append("# TYPE sessionmirror_queue_depth gauge\nsessionmirror_queue_depth ").append(queue.depth()).append('\n');
        quantiles(out, "write_seconds", "Time to write one session to Memcached", s -> s.writeNanos);
        quantiles(out, "serialize_seconds", "Time to serialize one session", s -> s.serializeNanos);
        return out.toString();
    }

    private void counter(StringBuilder out, String name, String help, ToLongFunction<MirrorStats> value) {
        counter(out, name, help, value, 1);
    }

    private void counter(StringBuilder out, String name, String help, ToLongFunction<MirrorStats> value, double scale) {
        String metric = "sessionmirror_" + name + "_total";
        out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(metric).append(" counter\n");
        for (View v : views()) {
            out.append(metric).append(labels(v, null)).append(' ');
            long raw = value.applyAsLong(v.stats);
            out.append(scale == 1 ? Long.toString(raw) : String.format(Locale.ROOT, "%.6f", raw * scale)).append('\n');
        }
    }

    private void quantiles(StringBuilder out, String name, String help,
                           java.util.function.Function<MirrorStats, Histogram> histogram) {
        String metric = "sessionmirror_" + name;
        out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(metric).append(" summary\n");
        for (View v : views()) {
            Histogram h = histogram.apply(v.stats);
            for (double q : new double[] {0.5, 0.99}) {
                out.append(metric).append(labels(v, q)).append(' ')
                        .append(String.format(Locale.ROOT, "%.6f", h.percentile(q * 100) / 1e9)).append('\n');
            }
            out.append(metric).append("_count").append(labels(v, null)).append(' ').append(h.count()).append('\n');
        }
    }

    private static String labels(View v, Double quantile) {
        StringBuilder l = new StringBuilder("{app=\"").append(v.namespace == null ? "*" : escape(v.namespace)).append('"');
        if (quantile != null) {
            l.append(",quantile=\"").append(quantile).append('"');
        }
        return l.append('}').toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** The one-line summary the agent logs periodically and at stop. */
    public String summary() {
        return agent.summary() + String.format(Locale.ROOT, ", queue %d, write p99 %.1f ms, serialize p99 %.0f us",
                queue.depth(), agent.writeNanos.percentile(99) / 1e6, agent.serializeNanos.percentile(99) / 1e3);
    }
}
