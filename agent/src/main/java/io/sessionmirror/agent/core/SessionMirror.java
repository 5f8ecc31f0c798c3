package io.sessionmirror.agent.core;

import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.bootstrap.MirrorHooks;
import java.util.List;

/**
 * The replication core for one server family, server-agnostic: it decides when a session is written,
 * touched, loaded or deleted, and talks to the server only through its {@link ContainerAdapter}.
 * <ul>
 *   <li>End of request: write once, only if something changed: an attribute was set or removed, or a
 *       mutable attribute was read and its serialized form now differs from what was last written.
 *       Otherwise a throttled {@code touch} keeps the stored copy alive ({@link SessionWriter}).</li>
 *   <li>Lookup miss: load from Memcached and rebuild the session locally with the same id
 *       ({@link SessionRestorer}); lookup hit: is the local copy still the newest ({@link Freshness})?</li>
 *   <li>Invalidate or timeout: a tombstone; id change: written under the new id, the old one ended. Shutdown:
 *       keep ({@link SessionEnds}).</li>
 *   <li>A Memcached node is back: what it misses is written again ({@link NodeRecovery}).</li>
 * </ul>
 * This class only dispatches the server's hooks to those, and keeps a request's scope (its session locks)
 * open from its start to the moment its write is stored.
 */
public final class SessionMirror implements MirrorHooks {

    private final ContainerAdapter adapter;
    private final MirrorServices services;
    private final SessionStates states;
    private final TroubleReports reports;
    private final RequestScopes scopes;
    private final ChangeTracker changes;
    private final SessionWriter writer;
    private final Freshness freshness;
    private final SessionRestorer restorer;
    private final SessionEnds ends;

    public SessionMirror(ContainerAdapter adapter, MirrorServices services) {
        this.adapter = adapter;
        this.services = services;
        this.states = new SessionStates(services.coverage::mirrors);
        this.reports = new TroubleReports(services);
        SessionLocks locks = new SessionLocks(services, adapter, reports::warnRarely);
        this.scopes = new RequestScopes(adapter, locks);
        this.changes = new ChangeTracker(states, services.syncWrites);
        this.writer = new SessionWriter(adapter, services, states, changes, reports);
        this.freshness = new Freshness(adapter, services, states, scopes, locks, reports);
        EndedKeys ended = new EndedKeys();
        this.restorer = new SessionRestorer(adapter, services, states, scopes, locks, freshness, ended, reports);
        this.ends = new SessionEnds(adapter, services, states, writer, ended, reports);
        services.store.addListener(new NodeRecovery(adapter, services, states, writer, reports)::nodeRecovered);
        services.metrics.countLiveSessions(states::live);
    }

    // ---------------------------------------------------------------- request start

    @Override
    public void requestStarting(Object request) {
        services.requests.enter(); // a shutdown waits for it (ShutdownDrain)
        if (services.route != null) {
            adapter.useRoute(request, services.route);
        }
        scopes.start(request);
    }

    // ---------------------------------------------------------------- lookups

    @Override
    public Object sessionNotFound(Object manager, String id, Object request) {
        if (request != null) {
            services.requests.enter(); // a lookup for a request (Undertow): a shutdown waits for it
        }
        return restorer.notFound(manager, id, request);
    }

    @Override
    public Object sessionFound(Object manager, Object session, Object request) {
        if (request != null) {
            services.requests.enter(); // a lookup for a request (Jetty, Undertow): a shutdown waits for it
        }
        return freshness.found(manager, session, request);
    }

    @Override
    public void sessionLoaded(Object session) {
        restorer.loaded(session);
    }

    // ---------------------------------------------------------------- change tracking

    @Override
    public void attributeWritten(Object session, String name) {
        changes.attributeWritten(session);
    }

    @Override
    public void attributeRead(Object session, Object value) {
        changes.attributeRead(session, value);
    }

    @Override
    public void attributeRead(Object session, String name, Object value) {
        changes.attributeRead(session, name, value);
    }

    // ---------------------------------------------------------------- use of a session by requests

    @Override
    public void sessionAcquired(Object session, Object request) {
        if (!adapter.firstUse(session, request)) {
            return;
        }
        SessionState state = states.get(session);
        if (state == null) {
            WebApp app = adapter.webAppOfSession(session);
            if (app == null) {
                return; // not a session we mirror
            }
            state = states.of(session, app);
        }
        state.startUse();
    }

    // ---------------------------------------------------------------- end of request

    @Override
    public void requestCompleting(Object request) {
        RequestScope scope = scopes.current();
        try {
            if (!services.syncWrites) {
                return; // async: the work happens when the request releases the session, after the response
            }
            long t0 = System.nanoTime();
            Object session = adapter.sessionOfRequest(request);
            if (session != null) {
                writer.endOfUse(session, null, true);
                services.stats.requestNanos.add(System.nanoTime() - t0);
            }
        } finally {
            // Locks are released only once the request's write is stored: the next holder reads it.
            scopes.close(scope);
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
            long t0 = System.nanoTime();
            SessionState used = states.get(session);
            if (used != null) {
                used.endUse(); // before the end of use: a snapshot waiting for this request is due now
            }
            writer.endOfUse(session, used, services.syncWrites);
            used = used != null ? used : states.get(session); // created by the end of use for a new session
            Counters st = reports.of(used == null ? null : used.app);
            st.requests.increment();
            st.requestNanos.add(System.nanoTime() - t0);
            RequestScope scope = scopes.current();
            if (!scope.locks.isEmpty() || scope.has(session)) {
                // A family whose request ends with the session's release (Undertow, Jetty): its write is stored.
                scopes.close(scope);
            }
        } finally {
            services.requests.exit();
        }
    }

    // ---------------------------------------------------------------- invalidate, timeout, shutdown, id change

    @Override
    public void sessionDestroyed(Object session, Object reason) {
        ends.destroyed(session, reason);
    }

    @Override
    public void sessionIdChanged(Object session, String oldId) {
        ends.idChanged(session, oldId);
    }

    // ---------------------------------------------------------------- attach: export what exists

    /**
     * Writes a session that existed before the agent was attached, now, on the calling (background)
     * thread. Returns its web app if it was written, else null: a session of a web app that is not
     * mirrored, an invalid one or one that cannot be serialized is skipped (and reported as at any write).
     */
    public WebApp export(Object session) {
        return writer.export(session);
    }

    /** What the agent knows of a session, or null: for unit tests of the decisions (e.g. to age a touch). */
    SessionState stateOf(Object session) {
        return states.get(session);
    }

    /** The live sessions of this family, as its adapter finds them. */
    public List<Object> liveSessions(LoadedClasses loaded) {
        return adapter.liveSessions(loaded);
    }
}
