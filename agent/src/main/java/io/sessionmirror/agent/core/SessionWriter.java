package io.sessionmirror.agent.core;

import static io.sessionmirror.agent.core.TroubleReports.redact;

import io.sessionmirror.agent.codec.ChangeHash;
import io.sessionmirror.agent.codec.Encoded;
import io.sessionmirror.agent.codec.Lineage;
import io.sessionmirror.agent.codec.SerializationOutOfMemoryException;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.store.WriteResult;
import io.sessionmirror.agent.support.AgentLog;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * Writes a session to Memcached once per change, and touches it otherwise: inline (write=sync, non-sticky,
 * recovery, export, shutdown) or through the write queue. Every write goes through {@link #write}, under the
 * session's state lock, and never after the session ended.
 */
final class SessionWriter {

    private static final Logger LOG = AgentLog.get();
    /** Room for the key and memcached's item header within its item size limit. */
    static final int ITEM_OVERHEAD = 512;

    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final SessionStates states;
    private final ChangeTracker changes;
    private final TroubleReports reports;
    private final BackgroundSnapshots background;

    SessionWriter(ContainerAdapter adapter, MirrorServices services, SessionStates states, ChangeTracker changes,
                  TroubleReports reports) {
        this.adapter = adapter;
        this.services = services;
        this.states = states;
        this.changes = changes;
        this.reports = reports;
        this.background = new BackgroundSnapshots(this, adapter, services, reports);
    }

    /**
     * A request is done with the session: written if it changed (or was never written), else touched when due.
     * {@code inline} (write=sync): snapshot and write now, on this thread. Otherwise (write=async) this thread
     * only queues the session for the writer thread when it may have changed ({@link BackgroundSnapshots}):
     * nothing is serialized or allocated here for a session that was only read. {@code known}: its state when
     * the caller has looked it up already, else null.
     */
    void endOfUse(Object session, SessionState known, boolean inline) {
        SessionState state = known != null ? known : states.get(session);
        WebApp app = state == null ? null : state.app;
        if (app == null) {
            app = adapter.webAppOfSession(session);
            if (app == null) {
                return; // not a session we mirror
            }
            state = states.of(session, app);
        }
        if (!inline) {
            if (!state.writable()) {
                return;
            }
            if (state.dirty()) {
                background.queue(session, state, app);
            } else {
                touchIfDue(session, state, app);
            }
            return;
        }
        // Concurrent requests on one session (AJAX) end one after the other here, so snapshots reach
        // Memcached in the order they were taken and an older one never replaces a newer one.
        String readHere = changes.readHere(session);
        synchronized (state) {
            if (!state.writable()) {
                return; // invalidated, timed out (its tombstone is on its way, nothing may follow it), torn down
            }
            // Read under the lock that sessionIdChanged takes: a request that began before a login must not
            // write the logged-in session back under the id the login retired.
            String id = adapter.sessionId(session);
            if (id == null) {
                return;
            }
            // Clear the flags before taking the snapshot: a change made while we serialize flags again.
            boolean changed = state.takeChanged();
            boolean flagged = state.takeMutableRead();
            String readName = flagged ? state.takeReadName() : null;
            boolean mutableRead = flagged || readHere != null;
            if (changed || mutableRead || state.lastHash == 0) {
                write(session, state, app, services.keys.key(app.namespace(), id), true,
                        changed ? null : ChangeTracker.onlyRead(flagged, readName, readHere));
            } else {
                touchIfDue(session, state, app);
            }
        }
    }

    /**
     * Writes a session that existed before the agent was attached, now, on the calling thread. Returns its web
     * app if it was written, else null.
     */
    WebApp export(Object session) {
        WebApp app = adapter.webAppOfSession(session);
        String id = app == null ? null : adapter.sessionId(session);
        if (id == null) {
            return null;
        }
        SessionState state = states.of(session, app);
        synchronized (state) {
            state.lastHash = 0;
            return write(session, state, app, services.keys.key(app.namespace(), id), true) ? app : null;
        }
    }

    /** Returns whether the session was written (inline) or queued. The caller holds the state's lock. */
    boolean write(Object session, SessionState state, WebApp app, String key, boolean inline) {
        return write(session, state, app, key, inline, null);
    }

    /**
     * {@code onlyRead}: the one attribute that may have changed (its mutable value was read, nothing was set or
     * removed), or null: it is checked alone first, and nothing else is serialized when it did not change.
     */
    boolean write(Object session, SessionState state, WebApp app, String key, boolean inline, String onlyRead) {
        if (!state.writable()) {
            return false;
        }
        SessionData data = null;
        Encoded encoded = null;
        // Read once: the writer thread may reset it (a failed write, a vanished copy) while we encode, and the
        // encoder leaves out the value when the hash equals what it was given.
        long lastHash = state.lastHash;
        for (int attempt = 1; encoded == null; attempt++) {
            try {
                data = adapter.snapshot(session);
                if (data == null) {
                    return false; // invalidated meanwhile
                }
                if (onlyRead != null && lastHash != 0 && readUnchanged(data, state, app, onlyRead)) {
                    reports.of(app).unchanged.increment();
                    touchIfDue(session, state, app);
                    return false;
                }
                encoded = encode(data, state, app, key, lastHash);
                if (encoded == null) {
                    return false;
                }
            } catch (ConcurrentModificationException e) {
                if (inline && attempt < 3 + services.store.timeoutMillis()) {
                    // write=sync: the response waits for the write, so it is retried here (about 1 ms apart,
                    // up to 'timeout'), never handed to the writer thread after the response.
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                if (attempt >= 3) {
                    if (inline) {
                        reports.of(app).failures.increment();
                        reports.of(app).serializeFailures.increment();
                        LOG.warn("Session {} of {} kept changing while it was serialized for {} ms; this change is not"
                                + " written now (it is at the session's next request)",
                                redact(data == null ? "?" : data.id()), app, services.store.timeoutMillis());
                        state.lastHash = 0;
                        return false;
                    }
                    // The application keeps mutating it: try again shortly, from the writer thread.
                    state.markChanged();
                    services.queue.submit(new RetryTask(this, key, session, state, app));
                    LOG.debug("Session {} of {} changed while it was serialized; written again shortly",
                            redact(data == null ? "?" : data.id()), app);
                    return false;
                }
            } catch (RuntimeException | LinkageError e) {
                reports.unserializable(app, data == null ? "?" : data.id(), e);
                return false;
            }
        }
        if (!worthWriting(session, state, app, key, data, encoded, lastHash)) {
            return false;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Writing session {} of {}: {} attributes, {} bytes ({})", redact(data.id()), app,
                    data.attributes().size(), encoded.payload.length, inline ? "now" : "queued");
        }
        long now = System.currentTimeMillis();
        // What this server's copy derived from until now: back to it if an inline write fails (below).
        Lineage lineageBefore = state.lineage;
        long writeIdBefore = state.knownWriteId;
        long versionBefore = state.version;
        state.lastHash = encoded.hash;
        state.knownWriteId = encoded.writeId;
        state.lineage = encoded.lineage;
        state.header = headerOf(data);
        state.version = encoded.version;
        state.lastRefresh = now;
        int expiry = ExpiryPolicy.expirySeconds(data.maxInactiveSeconds());
        if (!state.writable()) {
            return false; // ended while it was serialized: its tombstone is queued, or stored and refuses this
        }
        if (inline) {
            try {
                long writeStart = System.nanoTime();
                WriteResult result = services.store.set(key, encoded.payload, expiry);
                if (result == WriteResult.REFUSED) {
                    refused(state, app, key);
                    return false;
                }
                state.storedVersion = encoded.version;
                wrote(app, encoded.payload.length, System.nanoTime() - writeStart);
                if (result == WriteResult.MERGED) {
                    merged(state, app, key);
                }
                return true;
            } catch (StoreException e) {
                // Not stored (or not known to be): the copy it derives from is still the one before, so a refresh
                // before its next write still tells this write's changes from the stored copy's (non-sticky), and a
                // newer stored copy is not mistaken for an older one. Should it have landed after all (a late
                // answer), the next write, derived from the copy before, is merged with it.
                state.lastHash = 0;
                state.lineage = lineageBefore;
                state.knownWriteId = writeIdBefore;
                state.version = versionBefore;
                reports.storeTrouble(app, "could not write a session of " + app, e);
                return false;
            }
        }
        WriteTask task = new WriteTask(this, services, reports, key, encoded.payload, expiry, state, app,
                encoded.version);
        if (!services.queue.submit(task)) {
            notQueued(state, app);
            return false;
        }
        return true;
    }

    /** The queue refused a write of the session (full, or closed by a shutdown): it is written at its next request. */
    void notQueued(SessionState state, WebApp app) {
        state.lastHash = 0;
        reports.of(app).failures.increment();
        if (services.queue.isClosed()) {
            return; // after the shutdown's drain: counted and said by the queue and the Shutdown line
        }
        reports.of(app).queueFull.increment();
        reports.warnRarely("The write queue is full (" + services.queue.depth() + " sessions waiting): a session of "
                + app + " is written at its next request. " + services.store.kind() + " is slow or down, or raise 'queue'.");
    }

    /**
     * Serializes a snapshot; null when it cannot be (reported: out of memory, an attribute that cannot be
     * serialized). A {@link ConcurrentModificationException} (the application changed it meanwhile) is the
     * caller's to handle.
     */
    Encoded encode(SessionData data, SessionState state, WebApp app, String key, long lastHash) {
        try {
            long serializeStart = System.nanoTime();
            // Derived from the copy last loaded or written here: the store fast-forwards over that copy, and merges
            // with any other; attributes unchanged since it keep their stamps.
            Encoded encoded = services.codec.encode(data, app.classLoader(), state.version + 1, state.knownWriteId,
                    state.lineage, key, lastHash);
            reports.of(app).serializeNanos.record(System.nanoTime() - serializeStart);
            return encoded;
        } catch (ConcurrentModificationException e) {
            throw e;
        } catch (SerializationOutOfMemoryException e) {
            // Not the session's fault: nothing is left out of it; it is written whole at its next request.
            reports.of(app).failures.increment();
            reports.of(app).serializeFailures.increment();
            state.lastHash = 0;
            reports.warnRarely("Session " + redact(data.id()) + " of " + app + ": " + e.getMessage()
                    + "; it is written at its next request. Give the server more heap, or store less in sessions.");
            return null;
        } catch (Exception | LinkageError e) {
            reports.unserializable(app, data.id(), e);
            return null;
        }
    }

    /**
     * Whether {@code name}, the one attribute read since the last write (nothing set or removed), is as the copy
     * last loaded or written holds it: then nothing else is serialized. False when it cannot tell (the full
     * encode that follows reports what is wrong); a concurrent change is the caller's to retry.
     */
    boolean readUnchanged(SessionData data, SessionState state, WebApp app, String name) {
        if (headerOf(data) != state.header) {
            return false; // the timeout, auth type or principal changed (a login, "remember me"): a full snapshot
        }
        try {
            long start = System.nanoTime();
            boolean unchanged = services.codec.unchanged(data, app.classLoader(), state.lineage,
                    Collections.singletonList(name));
            reports.of(app).serializeNanos.record(System.nanoTime() - start);
            return unchanged;
        } catch (ConcurrentModificationException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /**
     * What a snapshot's timeout, auth type and principal (by identity: the session holds the same object until it is
     * replaced) hash to; never 0. Not the attributes: those are in the {@link SessionState#lineage}.
     */
    static long headerOf(SessionData data) {
        long h = ChangeHash.mix(data.maxInactiveSeconds(), data.authType() == null ? 0 : data.authType().hashCode());
        return ChangeHash.mix(h, System.identityHashCode(data.principal()));
    }

    /** Whether an encoded snapshot is to be stored: it changed, and it fits (both reported when not). */
    boolean worthWriting(Object session, SessionState state, WebApp app, String key, SessionData data,
                         Encoded encoded, long lastHash) {
        reports.skipped(app, encoded, data);
        if (encoded.hash == lastHash) {
            reports.of(app).unchanged.increment();
            touchIfDue(session, state, app);
            return false;
        }
        if (encoded.payload.length > services.maxSize - ITEM_OVERHEAD) {
            // Not remembered as written: it is measured again at its next change, and stored once it fits.
            reports.oversized(app, key, data.id(), encoded.payload.length, encoded.graphLength, ITEM_OVERHEAD,
                    () -> String.join(", ", services.codec.largestAttributes(data, app.classLoader(), 3)));
            return false;
        }
        reports.measured(app, encoded);
        return true;
    }

    /**
     * Memcached holds a newer copy of the session, or its tombstone: the write was not the newest and was not
     * stored over it. The local copy is stale; the session's next lookup takes the stored one (or ends it).
     */
    void refused(SessionState state, WebApp app, String key) {
        state.stale = true;
        state.lastHash = 0;
        reports.of(app).refusedWrites.increment();
        LOG.debug("A write of {} was refused: Memcached holds a newer copy or the session ended elsewhere", key);
    }

    /**
     * The write landed merged with a copy another server wrote meanwhile (non-sticky without a lock): both
     * servers' changes are stored, and the stored copy now holds more than this one. The session's next lookup
     * takes it (non-sticky: the next request's; sticky: as for a refused write).
     */
    void merged(SessionState state, WebApp app, String key) {
        state.stale = true;
        reports.of(app).mergedWrites.increment();
        LOG.debug("A write of {} was merged with a copy another server wrote meanwhile", key);
    }

    void wrote(WebApp app, int bytes, long nanos) {
        Counters st = reports.of(app);
        st.writes.increment();
        st.writeBytes.add(bytes);
        st.report.stored(bytes);
        st.writeNanos.record(nanos);
    }

    /** Extends the stored copy's expiry, at most once per touch interval: the session was only read. */
    void touchIfDue(Object session, SessionState state, WebApp app) {
        int maxInactive = adapter.maxInactiveSeconds(session);
        if (maxInactive <= 0) {
            return; // never expires locally; the stored copy has no expiry either
        }
        long now = System.currentTimeMillis();
        if (now - state.lastRefresh < ExpiryPolicy.touchIntervalMillis(maxInactive)) {
            return;
        }
        String id = adapter.sessionId(session);
        if (id == null) {
            return;
        }
        state.lastRefresh = now;
        services.queue.submit(new TouchTask(services, reports, services.keys.key(app.namespace(), id),
                ExpiryPolicy.expirySeconds(maxInactive), state));
    }
}
