package io.sessionmirror.agent.metrics;

import io.sessionmirror.agent.support.AgentLog;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;

/**
 * The agent's {@link Counters} and each web app's, and where they are shown: a JMX MBean each (registered
 * lazily, at the first request of a web app, never in premain: some servers set up JMX themselves after
 * start), the Prometheus text format ({@link PrometheusEndpoint}) and the periodic summary line.
 */
public final class MetricsRegistry {

    private static final Logger LOG = AgentLog.get();

    private final Counters agent;
    private final IntSupplier queueDepth;
    private final Map<String, View> apps = new ConcurrentHashMap<>();
    private volatile View agentView;
    private final List<ToIntFunction<String>> liveSessionSources = new CopyOnWriteArrayList<>();

    /** @param queueDepth sessions waiting for an asynchronous write (shared by every web app) */
    public MetricsRegistry(Counters agent, IntSupplier queueDepth) {
        this.agent = agent;
        this.queueDepth = queueDepth;
    }

    /** One set of counters as shown: the agent's ({@code label} null) or a web app's. */
    private static final class View {
        /** The web app as "host:path" ("_" for the default host), or null for the agent. */
        final String label;
        final Counters counters;

        View(String label, Counters counters) {
            this.label = label;
            this.counters = counters;
        }
    }

    /**
     * The counters of one web app, created (and its MBean registered) on first use; callers cache them.
     *
     * @param namespace the web app's key namespace, "sm:_:/shop:"
     * @param description the web app as JMX shows it, "Tomcat web app '/shop' on host localhost"
     */
    public Counters forWebApp(String namespace, String description) {
        View v = apps.computeIfAbsent(namespace, ns -> {
            String label = label(ns);
            View created = new View(label, new Counters(agent));
            created.counters.report.liveSessions(() -> liveSessions(ns));
            register(new CountersMBean(description, created.counters, queueDepth, true),
                    "type=WebApp,name=" + ObjectName.quote(label));
            return created;
        });
        agentView();
        return v.counters;
    }

    /**
     * Adds a source of live session counts: given a web app's key namespace, how many of its sessions a core
     * tracks (one source per server family's core; the report shows their sum).
     */
    public void countLiveSessions(ToIntFunction<String> byNamespace) {
        liveSessionSources.add(byNamespace);
    }

    private int liveSessions(String namespace) {
        int n = 0;
        for (ToIntFunction<String> source : liveSessionSources) {
            n += source.applyAsInt(namespace);
        }
        return n;
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
                    agentView = new View(null, agent);
                    register(new CountersMBean("all web apps", agent, queueDepth, false), "type=Agent");
                }
                v = agentView;
            }
        }
        return v;
    }

    private static void register(CountersMBean bean, String properties) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("sessionmirror:" + properties);
            if (!server.isRegistered(name)) {
                server.registerMBean(bean, name);
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("Could not register the JMX MBean {}: {}", properties, e.toString());
        }
    }

    /** The agent's view, then every web app's. */
    private List<View> views() {
        List<View> out = new ArrayList<>();
        out.add(agentView());
        out.addAll(apps.values());
        return out;
    }

    /** Every counter in the Prometheus text exposition format (version 0.0.4). */
    public String prometheus() {
        StringBuilder out = new StringBuilder(4096);
        List<View> views = views();
        List<Counters.Counter> list = agent.all();
        for (int i = 0; i < list.size(); i++) {
            Counters.Counter c = list.get(i);
            if (c.name == null) {
                continue;
            }
            String metric = "sessionmirror_" + c.name + "_total";
            out.append("# HELP ").append(metric).append(' ').append(c.help).append('\n');
            out.append("# TYPE ").append(metric).append(" counter\n");
            for (View v : views) {
                long raw = v.counters.all().get(i).value();
                out.append(metric).append(labels(v, null)).append(' ')
                        .append(c.scale == 1 ? Long.toString(raw) : String.format(Locale.ROOT, "%.6f", raw * c.scale))
                        .append('\n');
            }
        }
        out.append("# HELP sessionmirror_queue_depth Sessions waiting for an asynchronous write\n");
        out.append("# TYPE sessionmirror_queue_depth gauge\nsessionmirror_queue_depth ").append(queueDepth.getAsInt())
                .append('\n');
        quantiles(out, views, "write_seconds", "Time to write one session to Memcached", s -> s.writeNanos);
        quantiles(out, views, "serialize_seconds", "Time to serialize one session", s -> s.serializeNanos);
        quantiles(out, views, "write_delay_seconds", "write=async: from the end of a changing request to its write's"
                + " answer", s -> s.writeDelayNanos);
        return out.toString();
    }

    private static void quantiles(StringBuilder out, List<View> views, String name, String help,
                                  Function<Counters, Histogram> histogram) {
        String metric = "sessionmirror_" + name;
        out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(metric).append(" summary\n");
        for (View v : views) {
            Histogram h = histogram.apply(v.counters);
            for (double q : new double[] {0.5, 0.99}) {
                out.append(metric).append(labels(v, q)).append(' ')
                        .append(String.format(Locale.ROOT, "%.6f", h.percentile(q * 100) / 1e9)).append('\n');
            }
            out.append(metric).append("_count").append(labels(v, null)).append(' ').append(h.count()).append('\n');
        }
    }

    private static String labels(View v, Double quantile) {
        StringBuilder l = new StringBuilder("{app=\"").append(v.label == null ? "*" : escape(v.label)).append('"');
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
                queueDepth.getAsInt(), agent.writeNanos.percentile(99) / 1e6, agent.serializeNanos.percentile(99) / 1e3);
    }
}
