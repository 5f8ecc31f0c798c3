package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.SerializationOutOfMemoryException;
import io.sessionmirror.agent.codec.CorruptPayloadException;
import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.Encoded;
import io.sessionmirror.agent.codec.RejectedPayloadException;
import io.sessionmirror.agent.codec.SkippedAttribute;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.metrics.MirrorStats;
import io.sessionmirror.agent.store.MemcachedStore;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.agent.support.WeakIdentityTable;

import io.sessionmirror.agent.config.NodeAddress;
import io.sessionmirror.agent.core.ContainerAdapter.DestroyCause;
import io.sessionmirror.agent.store.MemcachedStore.StoreException;
import io.sessionmirror.bootstrap.MirrorBridge;
import io.sessionmirror.bootstrap.MirrorHooks;
import java.util.ConcurrentModificationException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The replication core for one server family, server-agnostic: it decides when a session is written,
 * touched, loaded or deleted, and talks to the server only through its {@link ContainerAdapter}.
 * <ul>
 *   <li>End of request: write once, only if something changed: an attribute was set or removed, or a
 *       mutable attribute was read and its serialized form now differs from what was last written.
 *       Otherwise a throttled {@code touch} keeps the stored copy alive.</li>
 *   <li>Lookup miss: load from Memcached and rebuild the session locally with the same id.</li>
 *   <li>Invalidate or timeout: delete. Shutdown: keep.</li>
 * </ul>
 */
public final class SessionMirror implements MirrorHooks {

    private static final Logger LOG = AgentLog.get();
    /** Room for the key and memcached's item header within its item size limit. */
    static final int ITEM_OVERHEAD = 512;
    /** How long a lookup that found nothing is remembered: one request often asks several times. */
    private static final long MISS_MEMORY_MILLIS = 2000;
    private static final int MISS_MEMORY_MAX = 10_000;
    private static final long WARN_INTERVAL_MILLIS = 60_000;

    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final SessionKeys keys;
    private final MirrorStats stats;
    private final WeakIdentityTable<Object, SessionState> states = new WeakIdentityTable<>();
    private final ConcurrentHashMap<String, Long> recentMisses = new ConcurrentHashMap<>();
    /**
     * Keys of sessions invalidated (or moved to a new id) here, so a lookup cannot bring one back from a
     * stored copy whose delete is still queued: not in the same request, not in a concurrent one.
     */
    private final ConcurrentHashMap<String, Long> gone = new ConcurrentHashMap<>();
    private static final long GONE_MEMORY_MILLIS = 60_000;
    private static final int GONE_SWEEP_ABOVE = 10_000;
    private final ConcurrentHashMap<String, Object> loadLocks = new ConcurrentHashMap<>();
    private final Set<String> reportedSkips = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastStoreWarning = new AtomicLong();
    private final SessionLocks locks;

    public SessionMirror(ContainerAdapter adapter, MirrorServices services) {
        this.adapter = adapter;
        this.services = services;
        this.keys = services.keys;
        this.stats = services.stats;
        this.locks = new SessionLocks(services, adapter, this::warnRarely);
        services.store.addListener(this::nodeRecovered);
    }

    // ---------------------------------------------------------------- request scope

    /** What the agent tracks about the request a thread is running: the session locks it holds, what it checked. */
    private static final class RequestScope {
        Object request;
        final SessionLocks.Held locks = new SessionLocks.Held();
        final java.util.List<Object> checked = new java.util.ArrayList<>(1);

        /** Whether this request looks at {@code session} for the first time (it is remembered as seen). */
        boolean firstLook(Object session) {
            if (has(session)) {
                return false;
            }
            checked.add(session);
            return true;
        }

        boolean has(Object session) {
            for (Object o : checked) {
                if (o == session) {
                    return true;
                }
            }
            return false;
        }

        void clear() {
            request = null;
            locks.clear();
            checked.clear();
        }
    }

    private final ThreadLocal<RequestScope> scopes = ThreadLocal.withInitial(RequestScope::new);

    @Override
    public void requestStarting(Object request) {
        services.requests.enter(); // a shutdown waits for it (ShutdownDrain)
        if (services.route != null) {
            adapter.useRoute(request, services.route);
        }
        RequestScope scope = scopes.get();
        if (!scope.locks.isEmpty()) {
            locks.releaseAll(scope.locks); // the thread's previous request ended without telling us
        }
        scope.clear();
        scope.request = request;
    }

    /**
     * The scope of the request a lookup runs for. Families with a request-start hook (Tomcat) opened it
     * there; the others (Undertow) pass their request with each lookup, and a new request object on this
     * thread starts a new scope.
     */
    private RequestScope scope(Object lookupArgument) {
        RequestScope scope = scopes.get();
        Object request = lookupArgument == null ? null : adapter.requestOf(lookupArgument);
        if (request != null && scope.request != request) {
            if (!scope.locks.isEmpty()) {
                locks.releaseAll(scope.locks);
            }
            scope.clear();
            scope.request = request;
        }
        return scope;
    }

    // ---------------------------------------------------------------- failover lookup

    @Override
    public Object sessionNotFound(Object manager, String id, Object request) {
        if (request != null) {
            services.requests.enter(); // a lookup for a request (Undertow): a shutdown waits for it
        }
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
        String key = keys.key(app.namespace(), id);
        long now = System.currentTimeMillis();
        Long missedAt = recentMisses.get(key);
        if (missedAt != null && now - missedAt < MISS_MEMORY_MILLIS) {
            return null;
        }
        Long goneAt = gone.get(key);
        if (goneAt != null && now - goneAt < GONE_MEMORY_MILLIS) {
            return null;
        }
        boolean wasBusy = MirrorBridge.enterAgentWork();
        Object lock = loadLocks.computeIfAbsent(key, k -> new Object());
        try {
            RequestScope scope = scope(request);
            if (services.nonSticky && locks.wanted(scope.locks, scope.request)) {
                // No lock for an id that is not stored (an unknown or forged id costs one read, not a lock); the
                // read below is repeated under the lock: the stored copy may have changed while we waited for it.
                byte[] stored;
                try {
                    stored = services.store.get(key);
                } catch (StoreException e) {
                    storeTrouble(app, "could not look up a session for " + app, e);
                    return null;
                }
                if (stored == null || StoredCopy.isTombstone(stored)) {
                    s(app).loadMisses.increment();
                    return null;
                }
                locks.lock(scope.locks, scope.request, key);
            }
            synchronized (lock) {
                // Another request for the same id may have restored it while we waited.
                Object local = adapter.findLocal(manager, id);
                if (local != null) {
                    if (services.nonSticky) {
                        // It may have been restored before this request got the lock: is it still the newest?
                        SessionState state = states.computeIfAbsent(local, s -> new SessionState());
                        state.app = app;
                        scope.firstLook(local);
                        return current(manager, local, state, app, key, id, request);
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
                    storeTrouble(app, "could not look up a session for " + app, e);
                    return stale == null ? null : rerouted(stale, scope, localId);
                }
                if (payload == null) {
                    s(app).loadMisses.increment();
                    if (stale != null) {
                        return rerouted(stale, scope, localId);
                    }
                    rememberMiss(key);
                    return null;
                }
                if (StoredCopy.isTombstone(payload)) {
                    // Ended (logout, timeout, new id) on some server: never brought back, not even this server's copy.
                    s(app).loadMisses.increment();
                    if (stale != null) {
                        ended(manager, stale, app, id);
                    }
                    rememberMiss(key);
                    return null;
                }
                Decoded decoded;
                try {
                    decoded = services.codec.decode(payload, app.classLoader(), localId, key);
                } catch (Exception | LinkageError e) {
                    unusable(key, id, app, e);
                    rememberMiss(key);
                    return stale == null ? null : rerouted(stale, scope, localId);
                }
                if (stale != null) {
                    // This server held the session before the user moved away: its copy is current only if no
                    // other server has written a newer version since.
                    SessionState old = states.get(stale);
                    if (old != null && old.version >= decoded.version) {
                        return rerouted(stale, scope, localId);
                    }
                    states.remove(stale);
                    adapter.discard(manager, stale);
                    s(app).staleRefreshes.increment();
                    LOG.info("Replaced this server's old copy of session {} of {} with the newer version {} from"
                            + " Memcached", redact(id), app, decoded.version);
                }
                Object session = adapter.restore(manager, localId, decoded.data, request);
                SessionState state = states.computeIfAbsent(session, s -> new SessionState());
                state.app = app;
                state.loaded(decoded);
                if (!services.nonSticky) {
                    state.verifyUntil = System.currentTimeMillis() + services.takeoverMillis;
                }
                s(app).loadHits.increment();
                LOG.info("Restored session {} of {} from Memcached ({} attributes, {} bytes, version {}){}", redact(id),
                        app, decoded.data.attributes().size(), payload.length, decoded.version,
                        localId.equals(id) ? "" : "; its route is now this server's");
                if (!localId.equals(id)) {
                    adapter.idRewritten(scope.request, localId);
                }
                scope.firstLook(session);
                return session;
            }
        } catch (Exception | LinkageError e) {
            s(app).failures.increment();
            LOG.warn("Restoring session {} of {} failed; the server goes on without it: {}", redact(id), app, describe(e));
            return null;
        } finally {
            loadLocks.remove(key, lock);
            MirrorBridge.exitAgentWork(wasBusy);
            stats.loadNanos.add(System.nanoTime() - t0);
        }
    }

    private final Set<String> reportedEntries = ConcurrentHashMap.newKeySet();

    /**
     * A stored value that cannot be used is treated as missing, counted, and reported at WARN once per key
     * (a hostile writer must not be able to flood the log): rejected for safety, or corrupt.
     */
    private void unusable(String key, String id, WebApp app, Throwable e) {
        boolean rejected = e instanceof RejectedPayloadException;
        MirrorStats st = s(app);
        (rejected ? st.rejectedEntries : st.failures).increment();
        // Rejected: refused before deserialization (bad or missing signature), or by the class filter before
        // the denied class was loaded.
        String what = rejected ? "was rejected and is treated as missing" : "cannot be restored and is ignored";
        String why = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        if (reportedEntries.size() < 10_000 && reportedEntries.add(key)) {
            LOG.warn("Stored session {} of {} {}: {} (reported once per key)", redact(id), app, what, why);
        } else {
            LOG.debug("Stored session {} of {} {}: {}", redact(id), app, what, why);
        }
    }

    /**
     * Whether a session restored here moments ago is still within its takeover window, when the server it
     * came from may still write it (its graceful stop finishes the requests in flight while new ones come here).
     */
    private boolean takenOverRecently(SessionState state) {
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

    /** The session ended on another server (its stored copy is a tombstone or gone): drop this server's copy. */
    private void ended(Object manager, Object session, WebApp app, String id) throws Exception {
        states.remove(session);
        adapter.discard(manager, session);
        LOG.debug("Session {} of {} was ended on another server; its local copy is dropped", redact(id), app);
    }

    /** A local session requested under another route: it keeps this server's route, and the client is told. */
    private Object rerouted(Object session, RequestScope scope, String localId) throws Exception {
        adapter.idRewritten(scope.request, localId);
        return session;
    }

    // ---------------------------------------------------------------- non-sticky: is the local copy current?

    @Override
    public Object sessionFound(Object manager, Object session, Object request) {
        if (request != null) {
            services.requests.enter(); // a lookup for a request (Jetty, Undertow): a shutdown waits for it
        }
        RequestScope scope = null;
        if (services.nonSticky) {
            scope = scope(request);
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
            SessionState state = states.computeIfAbsent(session, s -> new SessionState());
            state.app = app;
            String key = state.key(keys, app, id);
            if (scope != null) {
                locks.lock(scope.locks, scope.request, key);
            }
            return current(manager, session, state, app, key, id, request);
        } catch (Exception | LinkageError e) {
            s(app).failures.increment();
            LOG.warn("Checking session {} of {} against Memcached failed; the local copy is used: {}", redact(id), app,
                    describe(e));
            return session;
        } finally {
            MirrorBridge.exitAgentWork(wasBusy);
            stats.loadNanos.add(System.nanoTime() - t0);
        }
    }

    /**
     * The local session if it is the newest version, else refreshed in place (or rebuilt) from the stored one;
     * null when its stored copy is gone (ended on another server). Used on every lookup in non-sticky mode
     * (the caller holds the session lock, if any), and in sticky mode when a request came with another
     * server's route.
     */
    private Object current(Object manager, Object session, SessionState state, WebApp app, String key, String id,
                           Object request) throws Exception {
        byte[] payload;
        try {
            payload = services.store.get(key);
        } catch (StoreException e) {
            storeTrouble(app, "could not check a session's version for " + app + " (the local copy is used)", e);
            return session;
        }
        synchronized (state) {
            if (payload == null) {
                if (state.storedVersion > 0) {
                    // It was stored and is gone: invalidated or timed out on another server.
                    states.remove(session);
                    adapter.discard(manager, session);
                    LOG.debug("Session {} of {} was ended on another server; its local copy is dropped", redact(id), app);
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
                decoded = services.codec.decode(payload, app.classLoader(), id, key);
            } catch (CorruptPayloadException e) {
                unusable(key, id, app, e);
                return session; // an unusable stored copy is no newer than the local one
            }
            if (!adapter.refresh(session, decoded.data)) {
                states.remove(session);
                adapter.discard(manager, session);
                session = adapter.restore(manager, id, decoded.data, request);
                state = states.computeIfAbsent(session, s -> new SessionState());
                state.app = app;
            }
            state.loaded(decoded);
            state.changed.set(false);
            state.mutableRead.set(false);
            s(app).staleRefreshes.increment();
            return session;
        }
    }

    @Override
    public void sessionLoaded(Object session) {
        Object content = adapter.restoredContent(session);
        SessionState state = content == null ? null : states.remove(content);
        if (state == null) {
            return; // loaded by the server from its own store, not restored by us
        }
        states.put(session, state);
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
        remember(recentMisses, key, MISS_MEMORY_MILLIS);
    }

    private static void remember(ConcurrentHashMap<String, Long> memory, String key, long ttlMillis) {
        long now = System.currentTimeMillis();
        if (memory.size() > MISS_MEMORY_MAX) {
            memory.values().removeIf(t -> now - t >= ttlMillis);
            if (memory.size() > MISS_MEMORY_MAX) {
                return; // only a shortcut: a miss not remembered is asked again
            }
        }
        memory.put(key, now);
    }

    // ---------------------------------------------------------------- change tracking

    @Override
    public void attributeWritten(Object session, String name) {
        SessionState state = states.get(session);
        if (state != null) {
            state.changed.set(true);
        }
        // No state yet: the session was never written, so its first end of request writes it anyway.
    }

    /**
     * The session whose mutable attribute this thread's request read. The shared flag alone loses a change
     * when requests on one session overlap (AJAX): request Z's end clears it and snapshots, then request Y,
     * which read the value before, changes it in place. Y's own end still knows it read, from here.
     */
    private final ThreadLocal<java.lang.ref.WeakReference<Object>> readHere = new ThreadLocal<>();

    @Override
    public void attributeRead(Object session, Object value) {
        if (Immutables.is(value)) {
            return;
        }
        SessionState state = states.get(session);
        if (state != null && !state.mutableRead.get()) {
            state.mutableRead.set(true);
        }
        java.lang.ref.WeakReference<Object> r = readHere.get();
        if (r == null || r.get() != session) {
            readHere.set(new java.lang.ref.WeakReference<>(session));
        }
    }

    private boolean readHere(Object session) {
        java.lang.ref.WeakReference<Object> r = readHere.get();
        if (r != null && r.get() == session) {
            readHere.remove();
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- end of request

    @Override
    public void requestCompleting(Object request) {
        RequestScope scope = scopes.get();
        try {
            if (!services.syncWrites) {
                return; // async: the work happens when the request releases the session, after the response
            }
            long t0 = System.nanoTime();
            Object session = adapter.sessionOfRequest(request);
            if (session != null) {
                endOfUse(session, true);
                stats.requestNanos.add(System.nanoTime() - t0);
            }
        } finally {
            // Locks are released only once the request's write is stored: the next holder reads it.
            if (!scope.locks.isEmpty()) {
                locks.releaseAll(scope.locks);
            }
            scope.clear();
            if (services.requests.inside() && adapter.sessionOfRequest(request) == null) {
                services.requests.exit(); // no session: no release follows (with one, sessionReleased ends it)
            }
        }
    }

    @Override
    public void sessionCreated(Object session) {
        services.requests.enter(); // a request that created its session (Jetty: no lookup came first); once per thread
    }

    @Override
    public void sessionReleased(Object session) {
        services.requests.enter(); // covers the write below, also for a request that created its session
        try {
            released(session);
        } finally {
            services.requests.exit();
        }
    }

    private void released(Object session) {
        long t0 = System.nanoTime();
        endOfUse(session, services.syncWrites);
        SessionState used = states.get(session);
        MirrorStats st = s(used == null ? null : used.app);
        st.requests.increment();
        st.requestNanos.add(System.nanoTime() - t0);
        RequestScope scope = scopes.get();
        if (!scope.locks.isEmpty() || scope.has(session)) {
            // A family whose request ends with the session's release (Undertow, Jetty): its write is stored.
            locks.releaseAll(scope.locks);
            scope.clear();
        }
    }

    private void endOfUse(Object session, boolean inline) {
        SessionState state = states.get(session);
        WebApp app = state == null ? null : state.app;
        if (app == null) {
            app = adapter.webAppOfSession(session);
            if (app == null) {
                return; // not a session we mirror
            }
            if (state == null) {
                state = states.computeIfAbsent(session, s -> new SessionState());
            }
            state.app = app;
        }
        // Concurrent requests on one session (AJAX) end one after the other here, so snapshots reach
        // the queue in the order they were taken and an older one never replaces a newer one.
        boolean readHere = readHere(session);
        synchronized (state) {
            if (state.ended) {
                return; // invalidated, timed out: its tombstone is on its way, nothing may follow it
            }
            // Read under the lock that sessionIdChanged takes: a request that began before a login must not
            // write the logged-in session back under the id the login retired.
            String id = adapter.sessionId(session);
            if (id == null) {
                return;
            }
            // Clear the flags before taking the snapshot: a change made while we serialize flags again.
            boolean changed = state.changed.getAndSet(false);
            boolean mutableRead = state.mutableRead.getAndSet(false) | readHere;
            String key = state.key(keys, app, id);
            if (changed || mutableRead || state.lastHash == 0) {
                write(session, state, app, key, inline);
            } else {
                touchIfDue(session, state, key);
            }
        }
    }

    /** Returns whether the session was written (inline) or queued. */
    private boolean write(Object session, SessionState state, WebApp app, String key, boolean inline) {
        if (state.ended) {
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
                long serializeStart = System.nanoTime();
                encoded = services.codec.encode(data, app.classLoader(), state.version + 1, key, lastHash);
                s(app).serializeNanos.record(System.nanoTime() - serializeStart);
            } catch (ConcurrentModificationException e) {
                if (inline && attempt < 3 + services.store.timeoutMillis()) {
                    // write=sync: the response waits for the write, so it is retried here (about 1 ms apart,
                    // up to 'timeout'), never handed to the writer thread after the response.
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    continue;
                }
                if (attempt >= 3) {
                    if (inline) {
                        s(app).failures.increment();
                        s(app).serializeFailures.increment();
                        LOG.warn("Session {} of {} kept changing while it was serialized for {} ms; this change is not"
                                + " written now (it is at the session's next request)",
                                redact(data == null ? "?" : data.id()), app, services.store.timeoutMillis());
                        state.lastHash = 0;
                        return false;
                    }
                    // The application keeps mutating it: try again shortly, from the writer thread.
                    state.changed.set(true);
                    services.queue.submit(new RetryTask(key, session, state, app));
                    LOG.debug("Session {} of {} changed while it was serialized; written again shortly",
                            redact(data == null ? "?" : data.id()), app);
                    return false;
                }
            } catch (SerializationOutOfMemoryException e) {
                // Not the session's fault: nothing is left out of it; it is written whole at its next request.
                s(app).failures.increment();
                s(app).serializeFailures.increment();
                state.lastHash = 0;
                warnRarely("Session " + redact(data == null ? "?" : data.id()) + " of " + app + ": " + e.getMessage()
                        + "; it is written at its next request. Give the server more heap, or store less in sessions.");
                return false;
            } catch (Exception | LinkageError e) {
                s(app).failures.increment();
                s(app).serializeFailures.increment();
                if (reportedSkips.size() < 10_000 && reportedSkips.add(app + "|" + e.getClass().getName())) {
                    LOG.warn("A session of {} could not be serialized and is not mirrored: {} (reported once per"
                            + " web app and error)", app, describe(e));
                } else {
                    LOG.debug("Session {} of {} could not be serialized: {}", redact(data == null ? "?" : data.id()),
                            app, describe(e));
                }
                return false;
            }
        }
        reportSkipped(app, encoded);
        if (encoded.hash == lastHash) {
            s(app).unchanged.increment();
            touchIfDue(session, state, key);
            return false;
        }
        if (encoded.payload.length > services.maxSize - ITEM_OVERHEAD) {
            s(app).oversizedSessions.increment();
            // Not remembered as written: it is measured again at its next change, and stored once it fits.
            if (reportedEntries.size() < 10_000 && reportedEntries.add("size|" + key)) {
                LOG.warn("Session {} of {} is {} bytes stored ({} serialized), over max.size {} bytes (less {} for the"
                        + " key and item header); it is not mirrored and stays on this server only. Largest attributes:"
                        + " {}. Store less in the session, set compress, or raise max.size with memcached -I.",
                        redact(data.id()), app, encoded.payload.length, encoded.graphLength, services.maxSize,
                        ITEM_OVERHEAD, String.join(", ", services.codec.largestAttributes(data, app.classLoader(), 3)));
            } else {
                LOG.debug("Session {} of {} is still too large to mirror ({} bytes)", redact(data.id()), app,
                        encoded.payload.length);
            }
            return false;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Writing session {} of {}: {} attributes, {} bytes ({})", redact(data.id()), app,
                    data.attributes().size(), encoded.payload.length, inline ? "now" : "queued");
        }
        long now = System.currentTimeMillis();
        state.lastHash = encoded.hash;
        state.knownWriteId = encoded.writeId;
        state.version = encoded.version;
        state.lastRefresh = now;
        int expiry = expirySeconds(data.maxInactiveSeconds());
        if (state.ended) {
            return false; // ended while it was serialized: its tombstone is queued, or stored and refuses this
        }
        if (inline) {
            try {
                long writeStart = System.nanoTime();
                if (services.store.set(key, encoded.payload, expiry) == MemcachedStore.WriteResult.REFUSED) {
                    refused(state, app, key);
                    return false;
                }
                state.storedVersion = encoded.version;
                wrote(app, encoded.payload.length, System.nanoTime() - writeStart);
                return true;
            } catch (StoreException e) {
                state.lastHash = 0;
                storeTrouble(app, "could not write a session of " + app, e);
                return false;
            }
        }
        if (!services.queue.submit(new WriteTask(key, encoded.payload, expiry, state, app, encoded.version))) {
            state.lastHash = 0;
            s(app).failures.increment();
            if (services.queue.isClosed()) {
                return false; // after the shutdown's drain: counted and said by the queue and the Shutdown line
            }
            s(app).queueFull.increment();
            warnRarely("The write queue is full (" + services.queue.depth() + " sessions waiting): a session of " + app
                    + " is written at its next request. Memcached is slow or down, or raise 'queue'.");
            return false;
        }
        return true;
    }

    /**
     * Memcached holds a newer copy of the session, or its tombstone: the write was not the newest and was not
     * stored over it. The local copy is stale; the session's next lookup takes the stored one (or ends it).
     */
    private void refused(SessionState state, WebApp app, String key) {
        state.stale = true;
        state.lastHash = 0;
        s(app).refusedWrites.increment();
        LOG.debug("A write of {} was refused: Memcached holds a newer copy or the session ended elsewhere", key);
    }

    private void wrote(WebApp app, int bytes, long nanos) {
        MirrorStats st = s(app);
        st.writes.increment();
        st.writeBytes.add(bytes);
        st.writeNanos.record(nanos);
    }

    private void touchIfDue(Object session, SessionState state, String key) {
        int maxInactive = adapter.maxInactiveSeconds(session);
        if (maxInactive <= 0) {
            return; // never expires locally; the stored copy has no expiry either
        }
        long now = System.currentTimeMillis();
        if (now - state.lastRefresh < touchIntervalMillis(maxInactive)) {
            return;
        }
        state.lastRefresh = now;
        services.queue.submit(new TouchTask(key, expirySeconds(maxInactive), state));
    }

    /** Touch at most every tenth of the timeout, between 1 s and 60 s apart. */
    static long touchIntervalMillis(int maxInactiveSeconds) {
        return Math.max(1000, Math.min(60_000, maxInactiveSeconds * 100L));
    }

    /**
     * The stored copy lives as long as the session could, plus the touch interval: a session used only
     * for reads is touched at most that often, and must not vanish from Memcached before it times out.
     */
    public static int expirySeconds(int maxInactiveSeconds) {
        if (maxInactiveSeconds <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, maxInactiveSeconds + touchIntervalMillis(maxInactiveSeconds) / 1000 + 1);
    }

    private void reportSkipped(WebApp app, Encoded encoded) {
        for (SkippedAttribute s : encoded.skipped) {
            s(app).skippedAttributes.increment();
            if (reportedSkips.size() < 10_000 && reportedSkips.add(app + "|" + s.name + "|" + s.className)) {
                LOG.warn("Session attribute {} of {} is not mirrored: it {}. The rest of the session is; after a failover"
                        + " this attribute is missing. (Reported once per attribute and class.)",
                        "'" + s.name + "' (" + s.className + ")", app, s.reason);
            }
        }
    }

    // ---------------------------------------------------------------- a node is back

    /**
     * Runs on the store's repair thread when a node answers again. Sessions whose last write failed (every
     * node was down, or the queue was full) are written now, without waiting for their next request. When
     * the node came back empty (restart, replacement, a new node), every session that belongs on it is
     * copied there from a replica, or written from this server's copy when no node has one any more.
     */
    private void nodeRecovered(NodeAddress node, boolean emptied) {
        long t0 = System.nanoTime();
        int[] written = {0};
        int[] copied = {0};
        states.forEach((session, state) -> {
            WebApp app = state.app;
            String id = app == null ? null : adapter.sessionId(session);
            if (id == null) {
                return;
            }
            String key = state.key(keys, app, id);
            boolean unwritten = state.lastHash == 0;
            if (!unwritten && !(emptied && services.store.belongsTo(key, node))) {
                return;
            }
            if (!unwritten) {
                // A replica that has it is copied over by the read. Non-sticky: Memcached is primary, a local
                // copy is never written back over what the cluster holds.
                if (services.store.repairKey(key) || services.nonSticky) {
                    copied[0]++;
                    return;
                }
            }
            boolean wasBusy = MirrorBridge.enterAgentWork();
            try {
                synchronized (state) {
                    state.lastHash = 0;
                    if (write(session, state, app, key, true)) {
                        written[0]++;
                        s(app).recoveryWrites.increment();
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("Rewriting a session after a Memcached recovery failed: {}", describe(e));
            } finally {
                MirrorBridge.exitAgentWork(wasBusy);
            }
        });
        if (written[0] + copied[0] > 0) {
            LOG.info("Memcached {} is back{}: {} sessions written from this server, {} copied from replicas, in {} ms",
                    node, emptied ? " empty" : "", written[0], copied[0], (System.nanoTime() - t0) / 1_000_000);
        }
    }

    // ---------------------------------------------------------------- attach: export what exists

    /**
     * Writes a session that existed before the agent was attached, now, on the calling (background)
     * thread. Returns its web app if it was written, else null: a session of a web app that is not
     * mirrored, an invalid one or one that cannot be serialized is skipped (and reported as at any write).
     */
    public WebApp export(Object session) {
        WebApp app = adapter.webAppOfSession(session);
        String id = app == null ? null : adapter.sessionId(session);
        if (id == null) {
            return null;
        }
        SessionState state = states.computeIfAbsent(session, s -> new SessionState());
        state.app = app;
        synchronized (state) {
            state.lastHash = 0;
            return write(session, state, app, state.key(keys, app, id), true) ? app : null;
        }
    }

    /** The live sessions of this family, as its adapter finds them. */
    public java.util.List<Object> liveSessions(java.util.Set<ClassLoader> loaders) {
        return adapter.liveSessions(loaders);
    }

    // ---------------------------------------------------------------- invalidate, timeout, id change

    @Override
    public void sessionDestroyed(Object session, Object reason) {
        DestroyCause cause = adapter.destroyCause(session, reason);
        if (cause == DestroyCause.IGNORE) {
            return;
        }
        if (cause == DestroyCause.SHUTDOWN) {
            // Keeping the stored copy is the point: another server carries on with it. A request may still be
            // finishing with the session (a graceful stop lets it end while the manager stops): its last change
            // is written now, while the session is still valid, with the session's own version. The state stays
            // (the weak table lets it go with the session), so that request's end does not start a new lineage at
            // version 1 that Memcached would refuse.
            writePendingAtShutdown(session);
            return;
        }
        SessionState state = states.remove(session);
        if (state != null) {
            state.ended = true; // no write of it after this one
        }
        WebApp app = adapter.webAppOfSession(session);
        String id = adapter.sessionId(session);
        if (app == null || id == null) {
            return;
        }
        String key = keys.key(app.namespace(), id);
        int tombstoneSeconds = expirySeconds(adapter.maxInactiveSeconds(session));
        if (cause == DestroyCause.INVALIDATED) {
            end(app, key, tombstoneSeconds, services.syncWrites, null);
        } else {
            // Timed out here: ended only if no other server has written it since this one last saw it. A session
            // the agent never saw (loaded by the server from its own persistence, then expired) has no known write:
            // its stored copy ends if nobody has written it for the whole timeout either.
            long known = state == null ? 0 : state.knownWriteId;
            long idleMillis = adapter.maxInactiveSeconds(session) * 1000L;
            end(app, key, tombstoneSeconds, false, stored -> known != 0 ? SessionCodec.writeIdOf(stored) == known
                    : idleMillis > 0 && System.currentTimeMillis() - SessionCodec.writtenAtOf(stored) >= idleMillis);
        }
    }

    private void writePendingAtShutdown(Object session) {
        SessionState state = states.get(session);
        WebApp app = state == null ? null : state.app;
        if (app == null) {
            return;
        }
        boolean wasBusy = MirrorBridge.enterAgentWork();
        try {
            synchronized (state) {
                String id = adapter.sessionId(session);
                if (id != null && !state.ended
                        && (state.changed.getAndSet(false) | state.mutableRead.getAndSet(false) || state.lastHash == 0)) {
                    write(session, state, app, state.key(keys, app, id), true);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("Writing a session's last change at shutdown failed: {}", describe(e));
        } finally {
            MirrorBridge.exitAgentWork(wasBusy);
        }
    }

    /**
     * Ends a stored session: its tombstone goes to Memcached (inline, or queued ahead of nothing: it supersedes
     * every pending write of the key, and no later write replaces it). Until it is stored, the key is
     * remembered here so that no lookup on this server restores the copy the tombstone is about to end.
     */
    private void end(WebApp app, String key, int tombstoneSeconds, boolean inline,
                     java.util.function.Predicate<byte[]> onlyIf) {
        Long stamp = pendingEnd(key);
        if (inline) {
            try {
                services.store.tombstone(key, tombstoneSeconds);
                s(app).deletes.increment();
                gone.remove(key, stamp);
            } catch (StoreException e) {
                storeTrouble(app, "could not end an invalidated session", e);
            }
        } else {
            services.queue.submit(new TombstoneTask(key, tombstoneSeconds, app, onlyIf, stamp));
        }
    }

    /** Remembers a key whose tombstone is on its way; returns the stamp to forget it by once it is stored. */
    private Long pendingEnd(String key) {
        long now = System.currentTimeMillis();
        if (gone.size() >= GONE_SWEEP_ABOVE) {
            // Only while Memcached fails for a while (a tombstone is stored within moments otherwise). Entries
            // past their life go; never the whole map, so a flood of logouts cannot wipe what protects others.
            gone.values().removeIf(t -> now - t >= GONE_MEMORY_MILLIS);
        }
        Long stamp = now;
        gone.put(key, stamp);
        return stamp;
    }

    @Override
    public void sessionIdChanged(Object session, String oldId) {
        WebApp app = adapter.webAppOfSession(session);
        String newId = adapter.sessionId(session);
        if (app == null || newId == null || SessionKeys.stripRoute(oldId).equals(SessionKeys.stripRoute(newId))) {
            return; // only the route changed: same key
        }
        SessionState state = states.computeIfAbsent(session, s -> new SessionState());
        state.app = app;
        String oldKey = keys.key(app.namespace(), oldId);
        synchronized (state) {
            state.lastHash = 0;
            write(session, state, app, state.key(keys, app, newId), services.syncWrites);
            // Under the lock: an end of request waiting for it reads the new id, and a write of the old key that
            // is already queued or in flight is ended by the tombstone (it supersedes it, or refuses it in
            // Memcached). Fixation through the old id is closed on every server.
            end(app, oldKey, expirySeconds(adapter.maxInactiveSeconds(session)), services.syncWrites, null);
        }
    }

    // ---------------------------------------------------------------- background tasks

    private final class WriteTask extends WriteBehindQueue.Task {
        private final byte[] payload;
        private final int expiry;
        private final SessionState state;
        private final WebApp app;
        private final long version;

        WriteTask(String key, byte[] payload, int expiry, SessionState state, WebApp app, long version) {
            super(key);
            this.payload = payload;
            this.expiry = expiry;
            this.state = state;
            this.app = app;
            this.version = version;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return !(older instanceof TombstoneTask); // nothing of an ended session is written after its end
        }

        private long started;

        @Override
        protected void run() throws StoreException {
            complete(begin());
        }

        @Override
        protected Object begin() {
            started = System.nanoTime();
            return services.store.startSet(key, payload, expiry);
        }

        @Override
        protected void advance(Object begun) {
            ((MemcachedStore.PendingWrite) begun).advance();
        }

        @Override
        protected void complete(Object begun) throws StoreException {
            if (((MemcachedStore.PendingWrite) begun).await() == MemcachedStore.WriteResult.REFUSED) {
                refused(state, app, key);
                return;
            }
            state.storedVersion = Math.max(state.storedVersion, version);
            wrote(app, payload.length, System.nanoTime() - started);
        }

        @Override
        protected void failed(String why) {
            state.lastHash = 0; // written again at the session's next request
            storeTrouble(app, "could not write a session of " + app, new StoreException(why));
        }
    }

    /** A snapshot that kept failing with ConcurrentModificationException, taken again on the writer thread. */
    private final class RetryTask extends WriteBehindQueue.Task {
        private final Object session;
        private final SessionState state;
        private final WebApp app;

        RetryTask(String key, Object session, SessionState state, WebApp app) {
            super(key);
            this.session = session;
            this.state = state;
            this.app = app;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return older instanceof TouchTask || older instanceof RetryTask;
        }

        @Override
        protected void run() throws InterruptedException {
            Thread.sleep(5); // let the request that is changing it finish
            boolean wasBusy = MirrorBridge.enterAgentWork();
            try {
                synchronized (state) {
                    if (state.changed.getAndSet(false)) {
                        write(session, state, app, key, true);
                    }
                }
            } finally {
                MirrorBridge.exitAgentWork(wasBusy);
            }
        }

        @Override
        protected void failed(String why) {
            state.lastHash = 0;
        }
    }

    private final class TouchTask extends WriteBehindQueue.Task {
        private final int expiry;
        private final SessionState state;

        TouchTask(String key, int expiry, SessionState state) {
            super(key);
            this.expiry = expiry;
            this.state = state;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return older instanceof TouchTask; // never replaces a pending write or delete
        }

        @Override
        protected void run() throws StoreException {
            if (services.store.touch(key, expiry)) {
                s(state.app).touches.increment();
            } else {
                state.lastHash = 0; // the stored copy is gone (e.g. Memcached restarted): rewrite it
            }
        }

        @Override
        protected void failed(String why) {
            state.lastRefresh = 0;
            storeTrouble(state.app, "could not refresh a session's expiry", new StoreException(why));
        }
    }

    /**
     * The end of a session in Memcached: its tombstone, over every pending write of the key (and queued even
     * when the queue is full). With {@code onlyIf} (a timeout), only over the copy this server last knew.
     */
    private final class TombstoneTask extends WriteBehindQueue.Task {
        private final int seconds;
        private final WebApp app;
        private final java.util.function.Predicate<byte[]> onlyIf;
        private final Long goneStamp;

        TombstoneTask(String key, int seconds, WebApp app, java.util.function.Predicate<byte[]> onlyIf, Long goneStamp) {
            super(key);
            this.seconds = seconds;
            this.app = app;
            this.onlyIf = onlyIf;
            this.goneStamp = goneStamp;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            // An unconditional end supersedes everything; a timeout's conditional one never an invalidation's.
            return onlyIf == null || !(older instanceof TombstoneTask);
        }

        @Override
        protected boolean exemptFromCapacity() {
            return true;
        }

        @Override
        protected void run() throws StoreException {
            complete(begin());
        }

        @Override
        protected Object begin() {
            return services.store.startTombstone(key, seconds, onlyIf);
        }

        @Override
        protected void advance(Object begun) {
            ((MemcachedStore.PendingWrite) begun).advance();
        }

        @Override
        protected void complete(Object begun) throws StoreException {
            ((MemcachedStore.PendingWrite) begun).await();
            s(app).deletes.increment();
            gone.remove(key, goneStamp);
        }

        @Override
        protected void failed(String why) {
            // Kept in 'gone' until it expires; the nodes that missed it replay it when they are back.
            storeTrouble(app, "could not end a session (logout, timeout or new id) of " + app, new StoreException(why));
        }
    }

    // ---------------------------------------------------------------- reporting

    /** The counters of a web app (which also count for the agent), or the agent's when the app is not known. */
    private MirrorStats s(WebApp app) {
        return app == null ? stats : services.metrics.of(app);
    }

    private void storeTrouble(String what, StoreException e) {
        storeTrouble(null, what, e);
    }

    private void storeTrouble(WebApp app, String what, StoreException e) {
        MirrorStats st = s(app);
        st.failures.increment();
        st.storeFailures.increment();
        warnRarely("Memcached: " + what + " (" + e.getMessage() + "). Sessions stay local and are mirrored again"
                + " when Memcached answers.");
    }

    private void warnRarely(String message) {
        long now = System.currentTimeMillis();
        long last = lastStoreWarning.get();
        if (now - last >= WARN_INTERVAL_MILLIS && lastStoreWarning.compareAndSet(last, now)) {
            LOG.warn("{} (Similar warnings are suppressed for a minute.)", message);
        } else {
            LOG.debug(message);
        }
    }

    /** Session ids are credentials: logs show only enough to correlate. */
    static String redact(String id) {
        return id.length() <= 6 ? "****" : id.substring(0, 6) + "...";
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
