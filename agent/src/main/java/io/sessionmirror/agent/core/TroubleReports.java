package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.DroppedAttribute;
import io.sessionmirror.agent.codec.Encoded;
import io.sessionmirror.agent.codec.RejectedPayloadException;
import io.sessionmirror.agent.codec.SkippedAttribute;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.support.AgentLog;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * How one family's core reports what goes wrong: counted always, logged so that the log stays readable.
 * Memcached trouble is said at most once a minute; a bad stored entry, an oversized session, an attribute
 * that is not mirrored once per key, attribute or error (a hostile writer or a busy app must not flood it).
 */
final class TroubleReports {

    private static final Logger LOG = AgentLog.get();
    private static final long WARN_INTERVAL_MILLIS = 60_000;
    /** How many distinct things are reported once each; past that, at debug only. */
    private static final int REPORTED_MAX = 10_000;

    private final MirrorServices services;
    private final Set<String> reportedSkips = ConcurrentHashMap.newKeySet();
    private final Set<String> reportedEntries = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastStoreWarning = new AtomicLong();

    TroubleReports(MirrorServices services) {
        this.services = services;
    }

    /** The counters of a web app (which also count for the agent), or the agent's when the app is not known. */
    Counters of(WebApp app) {
        return app == null ? services.stats : app.counters(services.metrics);
    }

    void storeTrouble(WebApp app, String what, StoreException e) {
        Counters st = of(app);
        st.failures.increment();
        st.storeFailures.increment();
        String store = services.store.kind();
        warnRarely(store + ": " + what + " (" + e.getMessage() + "). Sessions stay local and are mirrored again"
                + " when " + store + " answers.");
    }

    void warnRarely(String message) {
        long now = System.currentTimeMillis();
        long last = lastStoreWarning.get();
        if (now - last >= WARN_INTERVAL_MILLIS && lastStoreWarning.compareAndSet(last, now)) {
            LOG.warn("{} (Similar warnings are suppressed for a minute.)", message);
        } else {
            LOG.debug(message);
        }
    }

    /**
     * A stored value that cannot be used is treated as missing, counted, and reported at WARN once per key
     * (a hostile writer must not be able to flood the log): rejected for safety, or corrupt.
     */
    void unusable(String key, String id, WebApp app, Throwable e) {
        boolean rejected = e instanceof RejectedPayloadException;
        Counters st = of(app);
        (rejected ? st.rejectedEntries : st.failures).increment();
        // Rejected: refused before deserialization (bad or missing signature), or by the class filter before
        // the denied class was loaded.
        String what = rejected ? "was rejected and is treated as missing" : "cannot be restored and is ignored";
        String why = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        if (reportedEntries.size() < REPORTED_MAX && reportedEntries.add(key)) {
            LOG.warn("Stored session {} of {} {}: {} (reported once per key)", redact(id), app, what, why);
        } else {
            LOG.debug("Stored session {} of {} {}: {}", redact(id), app, what, why);
        }
    }

    /** A session whose stored form is over max.size: not written; said once per key. */
    void oversized(WebApp app, String key, String id, int storedBytes, int serializedBytes, int overhead,
                   Supplier<String> largestAttributes) {
        of(app).oversizedSessions.increment();
        if (reportedEntries.size() < REPORTED_MAX && reportedEntries.add("size|" + key)) {
            LOG.warn("Session {} of {} is {} bytes stored ({} serialized), over max.size {} bytes (less {} for the"
                    + " key and item header); it is not mirrored and stays on this server only. Largest attributes:"
                    + " {}. Store less in the session, set compress, or raise max.size with memcached -I.",
                    redact(id), app, storedBytes, serializedBytes, services.maxSize, overhead, largestAttributes.get());
        } else {
            LOG.debug("Session {} of {} is still too large to mirror ({} bytes)", redact(id), app, storedBytes);
        }
    }

    /** A session that could not be serialized at all: said once per web app and error. */
    void unserializable(WebApp app, String id, Throwable e) {
        Counters st = of(app);
        st.failures.increment();
        st.serializeFailures.increment();
        if (reportedSkips.size() < REPORTED_MAX && reportedSkips.add(app + "|" + e.getClass().getName())) {
            LOG.warn("A session of {} could not be serialized and is not mirrored: {} (reported once per"
                    + " web app and error)", app, describe(e));
        } else {
            LOG.debug("Session {} of {} could not be serialized: {}", redact(id), app, describe(e));
        }
    }

    /** Attributes the codec left out of a session it wrote: said once per attribute and class. */
    void skipped(WebApp app, Encoded encoded) {
        for (SkippedAttribute s : encoded.skipped) {
            of(app).skippedAttributes.increment();
            if (reportedSkips.size() < REPORTED_MAX && reportedSkips.add(app + "|" + s.name + "|" + s.className)) {
                LOG.warn("Session attribute {} of {} is not mirrored: it {}. The rest of the session is; after a failover"
                        + " this attribute is missing. (Reported once per attribute and class.)",
                        "'" + s.name + "' (" + s.className + ")", app, s.reason);
            }
        }
    }

    /**
     * Attributes of a stored copy that did not deserialize here and were left out of the restored session (the
     * rest of it, login included, was restored): counted, said once per web app, attribute and reason.
     */
    void dropped(WebApp app, String id, List<DroppedAttribute> dropped) {
        for (DroppedAttribute d : dropped) {
            of(app).droppedAttributes.increment();
            if (reportedSkips.size() < REPORTED_MAX && reportedSkips.add(app + "|dropped|" + d.name + "|" + d.reason)) {
                LOG.warn("Session attribute {} of {} could not be restored and is left out (the rest of the session"
                        + " is restored): {}. (Reported once per attribute and reason.)",
                        "'" + d.name + "' (" + d.className + ")", app, d.reason);
            } else {
                LOG.debug("Session {} of {}: attribute '{}' left out: {}", redact(id), app, d.name, d.reason);
            }
        }
    }

    /** Session ids are credentials: logs show only enough to correlate. */
    static String redact(String id) {
        return id.length() <= 6 ? "****" : id.substring(0, 6) + "...";
    }

    static String describe(Throwable e) {
        return e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
