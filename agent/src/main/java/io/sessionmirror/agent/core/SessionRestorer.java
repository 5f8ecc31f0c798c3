package io.sessionmirror.agent.core;

import static io.sessionmirror.agent.core.TroubleReports.describe;
import static io.sessionmirror.agent.core.TroubleReports.redact;

import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.store.StoreException;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.bootstrap.MirrorBridge;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * A lookup found no local session for an id: the session is loaded from Memcached and rebuilt here with the
 * same id (the failover). One load per id at a time; a miss is remembered briefly (sticky only), and a key
 * that ended here is never brought back while its tombstone is on its way.
 */
final class SessionRestorer {

    private static final Logger LOG = AgentLog.get();
    /** How long a lookup that found nothing is remembered: one request often asks several times. */
    private static final long MISS_MEMORY_MILLIS = 2000;
    private static final int MISS_MEMORY_MAX = 10_000;

    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final SessionStates states;
    private final RequestScopes scopes;
    private final SessionLocks locks;
    private final Freshness freshness;
    private final EndedKeys ended;
    private final TroubleReports reports;
    private final ConcurrentHashMap<String, Long> recentMisses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Object> loadLocks = new ConcurrentHashMap<>();

    SessionRestorer(ContainerAdapter adapter, MirrorServices services, SessionStates states, RequestScopes scopes,
                    SessionLocks locks, Freshness freshness, EndedKeys ended, TroubleReports reports) {
        this.adapter = adapter;
        this.services = services;
        this.states = states;
        this.scopes = scopes;
        this.locks = locks;
        this.freshness = freshness;
        this.ended = ended;
        this.reports = reports;
    }

    /** The session restored for {@code id} (or the request's id when null), or null: the server makes a new one. */
    Object notFound(Object manager, String id, Object request) {
        WebApp app = adapter.webAppOfManager(manager);
        if (app == null) {
            return null;
        }
        if (id == null) {
            id = adapter.requestedId(manager, request);
        }
        if (id == null || id.isEmpty()) {
            return null;
        }
        long t0 = System.nanoTime();
        String key = services.keys.key(app.namespace(), id);
        long now = System.currentTimeMillis();
        Long missedAt = recentMisses.get(key);
        if (missedAt != null && now - missedAt < MISS_MEMORY_MILLIS) {
            return null;
        }
        if (ended.endedRecently(key, now)) {
            return null;
        }
        boolean wasBusy = MirrorBridge.enterAgentWork();
        Object lock = loadLocks.computeIfAbsent(key, k -> new Object());
        try {
            RequestScope scope = scopes.forLookup(request);
            if (services.nonSticky && locks.wanted(scope.locks, scope.request)) {
                // No lock for an id that is not stored (an unknown or forged id costs one read, not a lock); the
                // read below is repeated under the lock: the stored copy may have changed while we waited for it.
                byte[] stored;
                try {
                    stored = services.store.get(key);
                } catch (StoreException e) {
                    reports.storeTrouble(app, "could not look up a session for " + app, e);
                    return null;
                }
                if (stored == null || StoredCopy.isTombstone(stored)) {
                    reports.of(app).loadMisses.increment();
                    return null;
                }
                locks.lock(scope.locks, scope.request, key);
            }
            synchronized (lock) {
                return load(manager, id, request, app, key, scope);
            }
        } catch (Exception | LinkageError e) {
            reports.of(app).failures.increment();
            LOG.warn("Restoring session {} of {} failed; the server goes on without it: {}", redact(id), app, describe(e));
            return null;
        } finally {
            loadLocks.remove(key, lock);
            MirrorBridge.exitAgentWork(wasBusy);
            services.stats.loadNanos.add(System.nanoTime() - t0);
        }
    }

    /** The load itself, one per key at a time. */
    private Object load(Object manager, String id, Object request, WebApp app, String key, RequestScope scope)
            throws Exception {
        // Another request for the same id may have restored it while we waited.
        Object local = adapter.findLocal(manager, id);
        if (local != null) {
            if (services.nonSticky) {
                // It may have been restored before this request got the lock: is it still the newest?
                SessionState state = states.of(local, app);
                scope.firstLook(local);
                return freshness.current(manager, local, state, app, key, id, request);
            }
            return local;
        }
        // Sticky with routes: restored under this server's route, so the load balancer keeps the user here.
        String localId = services.nonSticky ? id : adapter.routedId(manager, id, services.route);
        Object stale = localId.equals(id) ? null : adapter.findLocal(manager, localId);
        byte[] payload;
        try {
            payload = services.store.get(key);
        } catch (StoreException e) {
            reports.storeTrouble(app, "could not look up a session for " + app, e);
            return stale == null ? null : rerouted(stale, scope, localId);
        }
        if (payload == null) {
            reports.of(app).loadMisses.increment();
            if (stale != null) {
                return rerouted(stale, scope, localId);
            }
            rememberMiss(key);
            return null;
        }
        if (StoredCopy.isTombstone(payload)) {
            // Ended (logout, timeout, new id) on some server: never brought back, not even this server's copy.
            reports.of(app).loadMisses.increment();
            if (stale != null) {
                freshness.ended(manager, stale, app, id);
            }
            rememberMiss(key);
            return null;
        }
        Decoded decoded;
        try {
            decoded = adapter.decodeAsServer(manager, app, loader -> services.codec.decode(payload, loader, localId, key));
        } catch (Exception | LinkageError e) {
            reports.unusable(key, id, app, e);
            rememberMiss(key);
            return stale == null ? null : rerouted(stale, scope, localId);
        }
        reports.dropped(app, id, decoded.dropped);
        if (stale != null) {
            // This server held the session before the user moved away: its copy is current only if no
            // other server has written a newer version since.
            SessionState old = states.get(stale);
            if (old != null && old.version >= decoded.version) {
                return rerouted(stale, scope, localId);
            }
            states.remove(stale);
            adapter.discard(manager, stale);
            reports.of(app).staleRefreshes.increment();
            LOG.info("Replaced this server's old copy of session {} of {} with the newer version {} from"
                    + " {}", redact(id), app, decoded.version, services.store.kind());
        }
        Object session = adapter.restore(manager, localId, decoded.data, request);
        SessionState state = states.of(session, app);
        state.loaded(decoded);
        if (!services.nonSticky) {
            state.verifyUntil = System.currentTimeMillis() + services.takeoverMillis;
        }
        reports.of(app).loadHits.increment();
        LOG.info("Restored session {} of {} from {} ({} attributes, {} bytes, version {}){}", redact(id),
                app, services.store.kind(), decoded.data.attributes().size(), payload.length, decoded.version,
                localId.equals(id) ? "" : "; its route is now this server's");
        if (!localId.equals(id)) {
            adapter.idRewritten(scope.request, localId);
        }
        scope.firstLook(session);
        return session;
    }

    /** A local session requested under another route: it keeps this server's route, and the client is told. */
    private Object rerouted(Object session, RequestScope scope, String localId) throws Exception {
        adapter.idRewritten(scope.request, localId);
        return session;
    }

    /**
     * The server wrapped content this class restored in a session of its own (Undertow): the state moves to
     * it, and its activation listeners run.
     */
    void loaded(Object session) {
        Object content = adapter.restoredContent(session);
        SessionState state = content == null ? null : states.move(content, session);
        if (state == null) {
            return; // loaded by the server from its own store, not restored by us
        }
        boolean wasBusy = MirrorBridge.enterAgentWork();
        try {
            adapter.activated(session);
        } catch (Exception | LinkageError e) {
            LOG.warn("Activation listeners of a restored session of {} failed: {}", state.app, describe(e));
        } finally {
            MirrorBridge.exitAgentWork(wasBusy);
        }
    }

    private void rememberMiss(String key) {
        if (services.nonSticky) {
            return; // another server may store it any moment, and this server must then see it
        }
        long now = System.currentTimeMillis();
        if (recentMisses.size() > MISS_MEMORY_MAX) {
            recentMisses.values().removeIf(t -> now - t >= MISS_MEMORY_MILLIS);
            if (recentMisses.size() > MISS_MEMORY_MAX) {
                return; // only a shortcut: a miss not remembered is asked again
            }
        }
        recentMisses.put(key, now);
    }
}
