package io.sessionmirror.agent.core;

import io.sessionmirror.agent.codec.SessionData;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server family for the decision tests: one web app of its own (so each test has its own counters), sessions as
 * plain objects with a timeout, requests that hold a session and have a URI, and counts of what the core asked the
 * server to do (restore, discard, refresh). Unlike {@link FakeContainer} it has no pause points: the decision tests
 * are single-threaded except for the write queue's thread.
 */
final class FakeServer implements ContainerAdapter {

    /** A manager of a web app that is not mirrored. */
    static final Object FOREIGN_MANAGER = new Object();
    static final Object MANAGER = new Object();

    /** A session: an id, a timeout, attributes, valid until invalidated. */
    static final class Session {
        volatile String id;
        volatile boolean valid = true;
        volatile int maxInactiveSeconds = 1800;
        final long created = System.currentTimeMillis();
        final Map<String, Object> attributes = new ConcurrentHashMap<>();
        /** Requests using it, as a server that counts them itself (Jetty) would; read when {@link #countsOwnUse}. */
        final AtomicInteger uses = new AtomicInteger();

        Session(String id) {
            this.id = id;
        }
    }

    /** A request: the session it holds (once looked up or created) and its URI. */
    static final class Request {
        final String uri;
        volatile Session session;

        Request(String uri) {
            this.uri = uri;
        }
    }

    final WebApp app;
    final Map<String, Session> local = new ConcurrentHashMap<>();
    final AtomicInteger restores = new AtomicInteger();
    final AtomicInteger discards = new AtomicInteger();
    final AtomicInteger refreshes = new AtomicInteger();
    /** Snapshots that fail as if the application changed the session while it was copied. */
    final AtomicInteger concurrentChanges = new AtomicInteger();
    /** Whether this server counts the requests using a session itself (Jetty) instead of reporting each use. */
    volatile boolean countsOwnUse;
    /** Runs inside each snapshot, on the thread taking it: a test holds the writer there to force an interleaving. */
    volatile Runnable duringSnapshot;
    /** Whether this family can replace a live session's content in place (non-sticky refresh). */
    volatile boolean refreshInPlace = true;

    FakeServer(String contextPath) {
        this.app = new WebApp(new SessionKeys("t").namespace(null, contextPath), contextPath,
                FakeServer.class.getClassLoader());
    }

    /** A session the server creates for a request (no hook: the core first sees it at the end of the request). */
    Session create(String id) {
        Session s = new Session(id);
        local.put(id, s);
        return s;
    }

    @Override
    public WebApp webAppOfManager(Object manager) {
        return manager == FOREIGN_MANAGER ? null : app;
    }

    @Override
    public WebApp webAppOfSession(Object session) {
        return app;
    }

    @Override
    public String sessionId(Object session) {
        return ((Session) session).id;
    }

    @Override
    public int maxInactiveSeconds(Object session) {
        return ((Session) session).maxInactiveSeconds;
    }

    @Override
    public SessionData snapshot(Object session) {
        Session s = (Session) session;
        if (!s.valid) {
            return null;
        }
        if (concurrentChanges.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new java.util.ConcurrentModificationException("changed while copied");
        }
        Runnable during = duringSnapshot;
        if (during != null) {
            during.run();
        }
        return new SessionData(s.id, s.created, s.maxInactiveSeconds, null, null, new HashMap<>(s.attributes));
    }

    /** Asks for the use count that fail, as a server's structures the adapter cannot read would (counted down). */
    final AtomicInteger failingUseCounts = new AtomicInteger();

    @Override
    public int requestsUsing(Object session) {
        if (failingUseCounts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("use count unreadable");
        }
        return countsOwnUse ? ((Session) session).uses.get() : -1;
    }

    @Override
    public Object findLocal(Object manager, String id) {
        return local.get(id);
    }

    @Override
    public Object restore(Object manager, String id, SessionData data, Object request) {
        restores.incrementAndGet();
        Session s = new Session(id);
        s.maxInactiveSeconds = data.maxInactiveSeconds();
        s.attributes.putAll(data.attributes());
        local.put(id, s);
        return s;
    }

    @Override
    public void discard(Object manager, Object session) {
        discards.incrementAndGet();
        local.remove(((Session) session).id, session);
    }

    @Override
    public boolean refresh(Object session, SessionData data) {
        if (!refreshInPlace) {
            return false;
        }
        refreshes.incrementAndGet();
        Session s = (Session) session;
        s.attributes.clear();
        s.attributes.putAll(data.attributes());
        return true;
    }

    @Override
    public boolean refreshChanged(Object session, SessionData data, java.util.Collection<String> changed) {
        if (!refreshInPlace) {
            return false;
        }
        refreshes.incrementAndGet();
        ContainerAdapter.applyChanged(((Session) session).attributes, data, changed);
        return true;
    }

    @Override
    public String requestUri(Object request) {
        return ((Request) request).uri;
    }

    @Override
    public Object sessionOfRequest(Object request) {
        return ((Request) request).session;
    }

    @Override
    public DestroyCause destroyCause(Object session, Object reason) {
        return (DestroyCause) reason;
    }
}
