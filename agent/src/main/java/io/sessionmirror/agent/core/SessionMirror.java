package io.sessionmirror.agent.core;

import io.sessionmirror.agent.core.ContainerAdapter.DestroyCause;
import io.sessionmirror.agent.core.MemcachedStore.StoreException;
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
    /** Memcached's default item size limit, less room for the key and item header. */
    static final int MAX_PAYLOAD = 1024 * 1024 - 512;
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
    private final ConcurrentHashMap<String, Object> loadLocks = new ConcurrentHashMap<>();
    private final Set<String> reportedSkips = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastStoreWarning = new AtomicLong();

    public SessionMirror(ContainerAdapter adapter, MirrorServices services) {
        this.adapter = adapter;
        this.services = services;
        this.keys = services.keys;
        this.stats = services.stats;
    }

    // ---------------------------------------------------------------- failover lookup

    @Override
    public Object sessionNotFound(Object manager, String id, Object request) {
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
            synchronized (lock) {
                // Another request for the same id may have restored it while we waited.
                Object local = adapter.findLocal(manager, id);
                if (local != null) {
                    return local;
                }
                byte[] payload;
                try {
                    payload = services.store.get(key);
                } catch (StoreException e) {
                    storeTrouble("could not look up a session for " + app, e);
                    return null;
                }
                if (payload == null) {
                    stats.loadMisses.increment();
                    rememberMiss(key);
                    return null;
                }
                SessionCodec.Decoded decoded;
                try {
                    decoded = services.codec.decode(payload, app.classLoader(), id);
                } catch (Exception | LinkageError e) {
                    stats.failures.increment();
                    LOG.warn("Stored session {} of {} cannot be restored and is ignored: {}", redact(id), app, describe(e));
                    rememberMiss(key);
                    return null;
                }
                Object session = adapter.restore(manager, id, decoded.data, request);
                SessionState state = states.computeIfAbsent(session, s -> new SessionState());
                state.app = app;
                state.lastHash = decoded.hash;
                state.knownWriteId = decoded.writeId;
                state.lastRefresh = System.currentTimeMillis();
                stats.loadHits.increment();
                LOG.info("Restored session {} of {} from Memcached ({} attributes, {} bytes)", redact(id), app,
                        decoded.data.attributes().size(), payload.length);
                return session;
            }
        } catch (Exception | LinkageError e) {
            stats.failures.increment();
            LOG.warn("Restoring session {} of {} failed; the server goes on without it: {}", redact(id), app, describe(e));
            return null;
        } finally {
            loadLocks.remove(key, lock);
            MirrorBridge.exitAgentWork(wasBusy);
            stats.loadNanos.add(System.nanoTime() - t0);
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
        remember(recentMisses, key, MISS_MEMORY_MILLIS);
    }

    private static void remember(ConcurrentHashMap<String, Long> memory, String key, long ttlMillis) {
        long now = System.currentTimeMillis();
        if (memory.size() > MISS_MEMORY_MAX) {
            memory.values().removeIf(t -> now - t >= ttlMillis);
            if (memory.size() > MISS_MEMORY_MAX) {
                memory.clear();
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

    @Override
    public void attributeRead(Object session, Object value) {
        if (Immutables.is(value)) {
            return;
        }
        SessionState state = states.get(session);
        if (state != null && !state.mutableRead.get()) {
            state.mutableRead.set(true);
        }
    }

    // ---------------------------------------------------------------- end of request

    @Override
    public void requestCompleting(Object request) {
        if (!services.syncWrites) {
            return; // async: the work happens when the request releases the session, after the response
        }
        long t0 = System.nanoTime();
        Object session = adapter.sessionOfRequest(request);
        if (session != null) {
            endOfUse(session, true);
            stats.requestNanos.add(System.nanoTime() - t0);
        }
    }

    @Override
    public void sessionReleased(Object session) {
        long t0 = System.nanoTime();
        endOfUse(session, services.syncWrites);
        stats.requests.increment();
        stats.requestNanos.add(System.nanoTime() - t0);
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
        String id = adapter.sessionId(session);
        if (id == null) {
            return;
        }
        // Concurrent requests on one session (AJAX) end one after the other here, so snapshots reach
        // the queue in the order they were taken and an older one never replaces a newer one.
        synchronized (state) {
            // Clear the flags before taking the snapshot: a change made while we serialize flags again.
            boolean changed = state.changed.getAndSet(false);
            boolean mutableRead = state.mutableRead.getAndSet(false);
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
        SessionData data = null;
        SessionCodec.Encoded encoded = null;
        for (int attempt = 1; encoded == null; attempt++) {
            try {
                data = adapter.snapshot(session);
                if (data == null) {
                    return false; // invalidated meanwhile
                }
                encoded = services.codec.encode(data, app.classLoader());
            } catch (ConcurrentModificationException e) {
                if (attempt == 3) {
                    state.changed.set(true); // the application keeps mutating: try again next request
                    LOG.debug("Session {} of {} changed while it was serialized; written at its next request",
                            redact(data == null ? "?" : data.id()), app);
                    return false;
                }
            } catch (Exception | LinkageError e) {
                stats.failures.increment();
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
        if (encoded.hash == state.lastHash) {
            stats.unchanged.increment();
            touchIfDue(session, state, key);
            return false;
        }
        if (encoded.payload.length > MAX_PAYLOAD) {
            stats.failures.increment();
            LOG.warn("Session {} of {} is {} bytes, over Memcached's item size limit of {} bytes; it is not mirrored"
                    + " (it stays on this server only)", redact(data.id()), app, encoded.payload.length, MAX_PAYLOAD);
            return false;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Writing session {} of {}: {} attributes, {} bytes ({})", redact(data.id()), app,
                    data.attributes().size(), encoded.payload.length, inline ? "now" : "queued");
        }
        long now = System.currentTimeMillis();
        state.lastHash = encoded.hash;
        state.knownWriteId = encoded.writeId;
        state.lastRefresh = now;
        int expiry = expirySeconds(data.maxInactiveSeconds());
        if (inline) {
            try {
                services.store.set(key, encoded.payload, expiry);
                wrote(encoded.payload.length);
                return true;
            } catch (StoreException e) {
                state.lastHash = 0;
                storeTrouble("could not write a session of " + app, e);
                return false;
            }
        }
        if (!services.queue.submit(new WriteTask(key, encoded.payload, expiry, state, app))) {
            state.lastHash = 0;
            stats.failures.increment();
            warnRarely("The write queue is full (" + services.queue.depth() + " sessions waiting): a session of " + app
                    + " is written at its next request. Memcached is slow or down, or raise 'queue'.");
            return false;
        }
        return true;
    }

    private void wrote(int bytes) {
        stats.writes.increment();
        stats.writeBytes.add(bytes);
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
    static int expirySeconds(int maxInactiveSeconds) {
        if (maxInactiveSeconds <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, maxInactiveSeconds + touchIntervalMillis(maxInactiveSeconds) / 1000 + 1);
    }

    private void reportSkipped(WebApp app, SessionCodec.Encoded encoded) {
        for (SessionCodec.Skipped s : encoded.skipped) {
            stats.skippedAttributes.increment();
            if (reportedSkips.size() < 10_000 && reportedSkips.add(app + "|" + s.name + "|" + s.className)) {
                LOG.warn("Session attribute {} of {} is not mirrored: it {}. The rest of the session is; after a failover"
                        + " this attribute is missing. (Reported once per attribute and class.)",
                        "'" + s.name + "' (" + s.className + ")", app, s.reason);
            }
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
        SessionState state = states.remove(session);
        if (cause == DestroyCause.SHUTDOWN) {
            return; // keeping the stored copy is the point: another server carries on with it
        }
        WebApp app = adapter.webAppOfSession(session);
        String id = adapter.sessionId(session);
        if (app == null || id == null) {
            return;
        }
        String key = keys.key(app.namespace(), id);
        remember(gone, key, GONE_MEMORY_MILLIS);
        if (cause == DestroyCause.INVALIDATED) {
            delete(key, services.syncWrites);
        } else {
            services.queue.submit(new ExpiredDeleteTask(key, state == null ? 0 : state.knownWriteId));
        }
    }

    private void delete(String key, boolean inline) {
        if (inline) {
            try {
                services.store.delete(key);
                stats.deletes.increment();
            } catch (StoreException e) {
                storeTrouble("could not delete an invalidated session", e);
            }
        } else {
            services.queue.submit(new DeleteTask(key));
        }
    }

    @Override
    public void sessionIdChanged(Object session, String oldId) {
        WebApp app = adapter.webAppOfSession(session);
        String newId = adapter.sessionId(session);
        if (app == null || newId == null || SessionKeys.stripRoute(oldId).equals(SessionKeys.stripRoute(newId))) {
            return; // only the route changed: same key
        }
        SessionState state = states.computeIfAbsent(session, s -> new SessionState());
        synchronized (state) {
            state.lastHash = 0;
            write(session, state, app, state.key(keys, app, newId), services.syncWrites);
        }
        String oldKey = keys.key(app.namespace(), oldId);
        remember(gone, oldKey, GONE_MEMORY_MILLIS);
        delete(oldKey, services.syncWrites);
    }

    // ---------------------------------------------------------------- background tasks

    private final class WriteTask extends WriteBehindQueue.Task {
        private final byte[] payload;
        private final int expiry;
        private final SessionState state;
        private final WebApp app;

        WriteTask(String key, byte[] payload, int expiry, SessionState state, WebApp app) {
            super(key);
            this.payload = payload;
            this.expiry = expiry;
            this.state = state;
            this.app = app;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return true;
        }

        @Override
        protected void run() throws StoreException {
            services.store.set(key, payload, expiry);
            wrote(payload.length);
        }

        @Override
        protected void failed(String why) {
            state.lastHash = 0; // written again at the session's next request
            storeTrouble("could not write a session of " + app, new StoreException(why));
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
                stats.touches.increment();
            } else {
                state.lastHash = 0; // the stored copy is gone (e.g. Memcached restarted): rewrite it
            }
        }

        @Override
        protected void failed(String why) {
            state.lastRefresh = 0;
            storeTrouble("could not refresh a session's expiry", new StoreException(why));
        }
    }

    private final class DeleteTask extends WriteBehindQueue.Task {
        DeleteTask(String key) {
            super(key);
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return true;
        }

        @Override
        protected void run() throws StoreException {
            services.store.delete(key);
            stats.deletes.increment();
        }

        @Override
        protected void failed(String why) {
            storeTrouble("could not delete an invalidated session", new StoreException(why));
        }
    }

    /** Deletes a timed-out session's copy only if no other server has written it since we last saw it. */
    private final class ExpiredDeleteTask extends WriteBehindQueue.Task {
        private final long knownWriteId;

        ExpiredDeleteTask(String key, long knownWriteId) {
            super(key);
            this.knownWriteId = knownWriteId;
        }

        @Override
        protected boolean supersedes(WriteBehindQueue.Task older) {
            return true;
        }

        @Override
        protected void run() throws StoreException {
            byte[] current = services.store.get(key);
            if (current == null) {
                return;
            }
            if (SessionCodec.writeIdOf(current) == knownWriteId) {
                services.store.delete(key);
                stats.deletes.increment();
            } else {
                LOG.debug("A session that timed out here was written by another server since; its stored copy is kept");
            }
        }

        @Override
        protected void failed(String why) {
            storeTrouble("could not delete a timed-out session", new StoreException(why));
        }
    }

    // ---------------------------------------------------------------- reporting

    private void storeTrouble(String what, StoreException e) {
        stats.failures.increment();
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
