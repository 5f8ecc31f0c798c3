package io.sessionmirror.agent.core;

import static io.sessionmirror.agent.core.TroubleReports.describe;
import static io.sessionmirror.agent.core.TroubleReports.redact;

import io.sessionmirror.agent.codec.CorruptPayloadException;
import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.bootstrap.MirrorBridge;
import java.util.List;
import org.slf4j.Logger;

/**
 * Whether the session a lookup found here is still the newest, and if not, the stored one in its place.
 * Non-sticky: checked at a request's first look at each session (under its session lock, if any). Sticky:
 * only when this server's copy may be behind: never seen by the agent, a write of it was refused, within the
 * takeover window after a restore, or the request carries another server's route.
 */
final class Freshness {

    private static final Logger LOG = AgentLog.get();

    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final SessionStates states;
    private final RequestScopes scopes;
    private final SessionLocks locks;
    private final TroubleReports reports;

    Freshness(ContainerAdapter adapter, MirrorServices services, SessionStates states, RequestScopes scopes,
              SessionLocks locks, TroubleReports reports) {
        this.adapter = adapter;
        this.services = services;
        this.states = states;
        this.scopes = scopes;
        this.locks = locks;
        this.reports = reports;
    }

    /** A lookup found {@code session} here: returns it, its refreshed replacement, or null if it ended elsewhere. */
    Object found(Object manager, Object session, Object request) {
        RequestScope scope = null;
        if (services.nonSticky) {
            scope = scopes.forLookup(request);
            if (scope.request == null || !scope.firstLook(session)) {
                return session; // not a request (a background lookup), or checked already in this request
            }
        } else {
            SessionState known = states.get(session);
            if (known != null && !known.stale && !takenOverRecently(known) && !adapter.cameFromElsewhere(session, request)) {
                return session; // sticky: this server's copy is the session
            }
            if (known == null && adapter.webAppOfManager(manager) == null) {
                // A web app whose server keeps sessions in a store of its own (Jetty's file or JDBC store): what the
                // server loaded from it is the session; the stored copy may lag behind a write still queued.
                return session;
            }
            // Sticky, and this server's copy may not be the newest: the session was loaded by the server itself
            // (its own persistence, e.g. Tomcat's SESSIONS.ser after a restart) and never seen by the agent, a
            // write of it was refused as older than the stored copy, or the request comes with another server's
            // route. Its stored copy decides.
        }
        WebApp app = adapter.webAppOfSession(session);
        String id = app == null ? null : adapter.sessionId(session);
        if (id == null) {
            return session;
        }
        long t0 = System.nanoTime();
        boolean wasBusy = MirrorBridge.enterAgentWork();
        try {
            SessionState state = states.of(session, app);
            String key = services.keys.key(app.namespace(), id);
            if (scope != null) {
                locks.lock(scope.locks, scope.request, key);
            }
            return current(manager, session, state, app, key, id, request);
        } catch (Exception | LinkageError e) {
            reports.of(app).failures.increment();
            LOG.warn("Checking session {} of {} against {} failed; the local copy is used: {}", redact(id), app,
                    services.store.kind(), describe(e));
            return session;
        } finally {
            MirrorBridge.exitAgentWork(wasBusy);
            services.stats.loadNanos.add(System.nanoTime() - t0);
        }
    }

    /**
     * Whether a session restored here moments ago is still within its takeover window, when the server it
     * came from may still write it (its graceful stop finishes the requests in flight while new ones come here).
     */
    private static boolean takenOverRecently(SessionState state) {
        long until = state.verifyUntil;
        if (until == 0) {
            return false;
        }
        if (System.currentTimeMillis() < until) {
            return true;
        }
        state.verifyUntil = 0;
        return false;
    }

    /**
     * The local session if it is the newest version, else refreshed in place (or rebuilt) from the stored one;
     * null when its stored copy is gone (ended on another server). Used on every lookup in non-sticky mode
     * (the caller holds the session lock, if any), and in sticky mode when a request came with another
     * server's route.
     */
    Object current(Object manager, Object session, SessionState state, WebApp app, String key, String id,
                   Object request) throws Exception {
        byte[] payload;
        try {
            payload = services.store.get(key);
        } catch (StoreException e) {
            reports.storeTrouble(app, "could not check a session's version for " + app + " (the local copy is used)", e);
            return session;
        }
        synchronized (state) {
            if (payload == null) {
                if (state.storedVersion > 0) {
                    // It was stored and is gone: invalidated or timed out on another server.
                    ended(manager, session, app, id);
                    return null;
                }
                return session; // never stored yet
            }
            if (StoredCopy.isTombstone(payload)) {
                ended(manager, session, app, id);
                return null;
            }
            long stored = SessionCodec.versionOf(payload);
            // Equal versions with another write id: two servers wrote at once without a lock; the stored one won.
            if (stored < state.version || stored == state.version && SessionCodec.writeIdOf(payload) == state.knownWriteId) {
                state.stale = false;
                return session;
            }
            Decoded decoded;
            try {
                decoded = adapter.decodeAsServer(manager, app, loader -> services.codec.decode(payload, loader, id, key));
            } catch (CorruptPayloadException e) {
                reports.unusable(key, id, app, e);
                return session; // an unusable stored copy is no newer than the local one
            }
            reports.dropped(app, id, decoded.dropped);
            if (services.nonSticky && refreshChangedElsewhere(session, state, app, decoded)) {
                reports.of(app).staleRefreshes.increment();
                return session;
            }
            // Non-sticky: a request here changed the session and has not written it yet (it still runs), or its write
            // failed (lastHash 0: to be written again): its changes since the copy last loaded or written here are
            // kept over the stored copy, and stay flagged to be written (derived from the stored copy now, so that
            // write replaces it).
            boolean unwritten = services.nonSticky && state.dirty();
            SessionData fresh = decoded.data;
            if (unwritten) {
                SessionData local = adapter.snapshot(session);
                if (local != null) {
                    fresh = LocalChanges.keep(local, decoded.data, state.lineage, services.codec, app.classLoader());
                }
            }
            if (!adapter.refresh(session, fresh)) {
                states.remove(session);
                adapter.discard(manager, session);
                session = adapter.restore(manager, id, fresh, request);
                state = states.of(session, app);
            }
            state.loaded(decoded);
            if (fresh != decoded.data) {
                state.markChanged();
            } else if (!unwritten) {
                state.clearFlags();
            }
            reports.of(app).staleRefreshes.increment();
            return session;
        }
    }

    /**
     * Non-sticky, other requests here may be using the session right now: sets only what other servers changed
     * since the copy this server last loaded or wrote (by the two copies' lineages), so a change a running request
     * makes meanwhile to any other attribute is not undone. An attribute changed both there and here, not written
     * yet, keeps this server's value (written next). False when the lineages cannot tell (a new session, a format
     * without sections) or the family cannot: the whole content is refreshed then. The caller holds the state lock.
     */
    private boolean refreshChangedElsewhere(Object session, SessionState state, WebApp app, Decoded decoded)
            throws Exception {
        List<String> elsewhere = LocalChanges.changedElsewhere(state.lineage, decoded.lineage);
        if (elsewhere == null) {
            return false;
        }
        boolean unwritten = state.dirty();
        if (unwritten && !elsewhere.isEmpty()) {
            SessionData local = adapter.snapshot(session);
            if (local != null) {
                elsewhere.removeIf(name -> LocalChanges.changedHere(local, name, state.lineage, services.codec,
                        app.classLoader()));
            }
        }
        if (!adapter.refreshChanged(session, decoded.data, elsewhere)) {
            return false;
        }
        state.loaded(decoded);
        if (unwritten) {
            state.markChanged(); // what this server changed and has not written is written, derived from this copy
        }
        return true;
    }

    /** The session ended on another server (its stored copy is a tombstone or gone): drop this server's copy. */
    void ended(Object manager, Object session, WebApp app, String id) throws Exception {
        states.remove(session);
        adapter.discard(manager, session);
        LOG.debug("Session {} of {} was ended on another server; its local copy is dropped", redact(id), app);
    }
}
