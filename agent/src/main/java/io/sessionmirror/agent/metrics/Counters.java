package io.sessionmirror.agent.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the agent did, counted: one set for the agent, one per web app whose every count also goes to the
 * agent's. The counter fields below are the one list of counters: each line gives the field code
 * increments, its Prometheus name, its JMX attribute, its help text, whose counter it is and its words in
 * the summary line. JMX ({@link CountersMBean}), Prometheus and the summary line
 * ({@link MetricsRegistry}) read that list, in that order.
 */
public final class Counters {

    /** Whose counter it is: what a web app's requests cause, or what only the agent as a whole sees. */
    public enum Scope {
        WEB_APP,
        /** Counted by the store or the locks, which do not know the web app: a web app's copy stays 0. */
        AGENT
    }

    /** Renders a counter in the summary line; null leaves it out. */
    @FunctionalInterface
    interface Summary {
        String text(Counters all, long value);
    }

    /** One counter: its adder and where it is shown. */
    public static final class Counter {
        /** Prometheus: {@code sessionmirror_<name>_total}; null when not exported there. */
        final String name;
        /** The JMX attribute; null when not in JMX. */
        final String attribute;
        final String help;
        final Scope scope;
        final Summary summary;
        /** Prometheus shows {@code value * scale} (nanoseconds as seconds). */
        final double scale;
        final Tee adder = new Tee();

        Counter(String name, String attribute, String help, Scope scope, Summary summary, double scale) {
            this.name = name;
            this.attribute = attribute;
            this.help = help;
            this.scope = scope;
            this.summary = summary;
            this.scale = scale;
        }

        long value() {
            return adder.sum();
        }
    }

    /** A counter that also counts in its parent's (the agent's, for a web app's). */
    static final class Tee extends LongAdder {
        private static final long serialVersionUID = 1L;
        // Set by the constructor of the Counters holding this one, before it is shared.
        private transient LongAdder parent;

        @Override
        public void add(long x) {
            super.add(x);
            if (parent != null) {
                parent.add(x);
            }
        }
    }

    private static final Scope APP = Scope.WEB_APP;
    private static final Scope AGENT = Scope.AGENT;

    private final List<Counter> list = new ArrayList<>();

    // The list. Field initializers run in this order, which is the order every view shows.
    public final LongAdder requests = counter("requests", "Requests", "Requests with a session", APP, (c, n) -> String.format(
            "requests with a session %d (agent time on the request thread avg %.1f us)", n,
            n == 0 ? 0.0 : c.requestNanos.sum() / 1000.0 / n));
    public final LongAdder requestNanos = counter("request_seconds", null, "Time the agent spent on request threads", APP,
            null, 1e-9);
    public final LongAdder writes = counter("writes", "Writes", "Sessions written to Memcached", APP,
            (c, w) -> String.format("writes %d (avg %d bytes)", w, w == 0 ? 0 : c.writeBytes.sum() / w));
    public final LongAdder writeBytes = counter("written_bytes", "BytesWritten", "Bytes written to Memcached", APP, null);
    public final LongAdder unchanged = counter("writes_unchanged", "WritesSkippedUnchanged",
            "Writes skipped because nothing changed", APP, label("unchanged"));
    public final LongAdder touches = counter("touches", "Touches", "Expiry refreshes of unchanged sessions", APP,
            label("touches"));
    public final LongAdder loadHits = counter("load_hits", "LoadHits", "Sessions restored from Memcached", APP, (c, hits) -> {
        long misses = c.loadMisses.sum();
        return String.format("loads %d hit / %d miss (avg %.1f us)", hits, misses,
                hits + misses == 0 ? 0.0 : c.loadNanos.sum() / 1000.0 / (hits + misses));
    });
    public final LongAdder loadMisses = counter("load_misses", "LoadMisses", "Lookups that found nothing in Memcached", APP,
            null);
    public final LongAdder loadNanos = counter(null, null, "Time spent looking sessions up in Memcached", AGENT, null);
    public final LongAdder deletes = counter("deletes", "Deletes", "Stored sessions deleted", APP, label("deletes"));
    public final LongAdder failures = counter(null, "Failures", "Failures of any cause (store, serialization, full queue)",
            APP, label("failures"));
    public final LongAdder skippedAttributes = counter("skipped_attributes", "SkippedAttributes",
            "Attributes left out as not serializable", APP, label("attributes skipped"));
    /** Attributes of a stored copy that did not deserialize here (class missing or changed) and were left out. */
    public final LongAdder droppedAttributes = counter("dropped_attributes", "DroppedAttributes",
            "Stored attributes left out at restore because their class is missing or changed", APP,
            label("attributes dropped"));
    /** Copies written to a node that had lost or missed them (read repair, node recovery). */
    public final LongAdder replicaRepairs = counter("replica_repairs", "ReplicaRepairs", "Copies repaired on another node",
            AGENT, label("replica repairs"));
    /** Sessions written again because a node came back after an outage or restart. */
    public final LongAdder recoveryWrites = counter("recovery_writes", "RecoveryWrites",
            "Sessions rewritten after a node came back", APP, label("recovery writes"));
    public final LongAdder nodeOutages = counter("node_outages", "NodeOutages", "Times a node's circuit breaker opened",
            AGENT, label("node outages"));
    /** The node list changed ({@code dns:} / {@code config:} entries of nodes): nodes added or removed. */
    public final LongAdder nodeListChanges = counter("node_list_changes", "NodeListChanges",
            "Times the discovered Memcached node list changed", AGENT, null);
    /** Discovery lookups that failed or whose answer was ignored (older version, empty list). */
    public final LongAdder discoveryFailures = counter("discovery_failures", "DiscoveryFailures",
            "Node discovery lookups that failed or were ignored", AGENT, null);
    /** Non-sticky mode: local copies replaced by a newer stored version. */
    public final LongAdder staleRefreshes = counter("stale_refreshes", "StaleRefreshes",
            "Local copies refreshed from a newer stored version", APP, label("stale local copies refreshed"));
    public final LongAdder lockWaits = counter("lock_waits", "LockWaits", "Requests that waited for a session lock", AGENT,
            label("lock waits"));
    public final LongAdder lockTimeouts = counter("lock_timeouts", "LockTimeouts",
            "Requests that went on without a session lock", AGENT, label("lock timeouts"));
    /** Stored values refused before deserialization: unsigned, bad signature, unknown secret, denied class. */
    public final LongAdder rejectedEntries = counter("rejected_entries", "RejectedEntries",
            "Stored values refused (signature, filter)", APP, label("rejected entries"));
    public final LongAdder oversizedSessions = counter("oversized_sessions", "OversizedSessions",
            "Writes skipped because the session exceeded max.size", APP, label("oversized sessions"));
    /** Never written over: Memcached held a newer copy or the session's tombstone (ended elsewhere). */
    public final LongAdder refusedWrites = counter("refused_writes", "RefusedWrites",
            "Writes refused because Memcached held a newer copy or the session's tombstone", APP, label("refused writes"));
    /**
     * Non-sticky without a lock: written merged with a copy another server wrote meanwhile (both servers' changes
     * kept; the local copy is refreshed at its next lookup).
     */
    public final LongAdder mergedWrites = counter("merged_writes", "MergedWrites",
            "Writes merged with a copy another server wrote meanwhile", APP, label("merged writes"));
    public final LongAdder droppedTombstones = counter("dropped_tombstones", "DroppedTombstones",
            "Session ends a down node missed beyond what could be remembered for it", AGENT, label("dropped tombstones"));
    /** Session locks found expired (and maybe taken by another server) while their request still ran. */
    public final LongAdder lostLocks = counter("lost_locks", "LostLocks",
            "Session locks found taken by another server at renewal", AGENT, label("lost locks"));
    /** Throwables a hook threw that the bridge swallowed (the request went on without the agent there). */
    public final LongAdder hookFailures = counter("hook_failures", "HookFailures",
            "Hook calls that failed and were skipped (the request went on without the agent)", AGENT, null);
    public final LongAdder storeFailures = counter("store_failures", "StoreFailures",
            "Memcached calls that failed or timed out", APP, null);
    public final LongAdder serializeFailures = counter("serialize_failures", "SerializeFailures",
            "Sessions that could not be serialized", APP, null);
    public final LongAdder queueFull = counter("queue_full", "QueueFullDrops",
            "Writes dropped because the write queue was full", APP, null);
    /** write=async: snapshots the writer took although a request still used the session (it used it too long). */
    public final LongAdder busySnapshots = counter("busy_snapshots", "BusySnapshots",
            "Snapshots taken while a request still used the session (longer than 1 s)", APP, null);
    /** write=async: snapshots thrown away because a request started using the session while it was taken. */
    public final LongAdder retakenSnapshots = counter("retaken_snapshots", "RetakenSnapshots",
            "Snapshots taken again because a request used the session meanwhile", APP, null);

    /** What {@code report <pid>} shows of a web app (fed for a web app's counters only; the agent's stays empty). */
    public final SessionReport report = new SessionReport();

    /** Time to write one session to Memcached (every copy), from the writer's start to the last answer. */
    public final Histogram writeNanos;
    /** Time to serialize one session (snapshot and encode, signing and encryption included). */
    public final Histogram serializeNanos;
    /**
     * write=async: from the end of the request that made a change to Memcached's answer for the write holding it
     * (the window in which a crash of this server loses the change).
     */
    public final Histogram writeDelayNanos;

    public Counters() {
        this(null);
    }

    /** A web app's counters, each of which also counts in {@code parent}'s (the agent's). */
    public Counters(Counters parent) {
        if (parent != null) {
            for (int i = 0; i < list.size(); i++) {
                list.get(i).adder.parent = parent.list.get(i).adder;
            }
        }
        writeNanos = new Histogram(parent == null ? null : parent.writeNanos);
        serializeNanos = new Histogram(parent == null ? null : parent.serializeNanos);
        writeDelayNanos = new Histogram(parent == null ? null : parent.writeDelayNanos);
    }

    private LongAdder counter(String name, String attribute, String help, Scope scope, Summary summary) {
        return counter(name, attribute, help, scope, summary, 1);
    }

    private LongAdder counter(String name, String attribute, String help, Scope scope, Summary summary, double scale) {
        Counter c = new Counter(name, attribute, help, scope, summary, scale);
        list.add(c);
        return c.adder;
    }

    private static Summary label(String words) {
        return (c, n) -> words + " " + n;
    }

    /** Every counter, in the order of the fields above. */
    public List<Counter> all() {
        return Collections.unmodifiableList(list);
    }

    /** "requests with a session 3 (...), writes 2 (...), ...": the counters' part of the summary line. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        for (Counter c : list) {
            if (c.summary != null) {
                out.append(out.length() == 0 ? "" : ", ").append(c.summary.text(this, c.value()));
            }
        }
        return out.toString();
    }
}
