package io.sessionmirror.agent.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sessionmirror.agent.codec.Decoded;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.codec.StoredCopy;
import io.sessionmirror.agent.core.ContainerAdapter.DestroyCause;
import io.sessionmirror.agent.metrics.Counters;
import io.sessionmirror.agent.store.InMemorySessionStore;
import io.sessionmirror.agent.store.InMemorySessionStore.Op;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One server of a cluster in a unit test: a {@link SessionMirror} over a {@link FakeServer}, with the in-memory
 * store (shared with the other servers a test makes with {@link #otherServer}). Requests are driven through the
 * hooks in the order the Tomcat advice calls them: {@code requestStarting}, the manager's lookup
 * ({@code sessionFound}/{@code sessionNotFound}), {@code attributeRead}/{@code attributeWritten},
 * {@code requestCompleting} (where write=sync writes), {@code sessionReleased} (where write=async queues).
 * The write queue is waited for with {@link WriteBehindQueue#flush}, never with a sleep.
 */
final class MirrorFixture implements AutoCloseable {

    /** How the server is configured. */
    static final class Options {
        boolean sync;
        boolean nonSticky;
        Pattern lock;
        long lockWaitMillis = 50;
        int maxSize = 1024 * 1024;
        SessionCodec codec = new SessionCodec(null, -1, new JavaSerializer());

        Options sync() {
            sync = true;
            return this;
        }

        Options nonSticky(String lockPattern) {
            nonSticky = true;
            lock = lockPattern == null ? null : Pattern.compile(lockPattern);
            return this;
        }

        Options maxSize(int bytes) {
            maxSize = bytes;
            return this;
        }

        long writeIntervalMillis;

        /** write=async: the shortest time between two snapshots of a session (0, the fixture's default: none). */
        Options writeInterval(long millis) {
            writeIntervalMillis = millis;
            return this;
        }

        Options codec(SessionCodec c) {
            codec = c;
            return this;
        }
    }

    final InMemorySessionStore store;
    final FakeServer server = new FakeServer("/app");
    final MirrorServices services;
    final SessionMirror mirror;

    MirrorFixture(Options options) {
        this(options, new InMemorySessionStore(new StoredCopyOrder(options.codec), 200));
    }

    private MirrorFixture(Options o, InMemorySessionStore store) {
        this.store = store;
        this.services = new MirrorServices(store, new WriteBehindQueue(1000), o.codec, new SessionKeys("t"),
                new Counters(), o.sync, o.nonSticky, null, o.lock, o.lockWaitMillis, o.maxSize);
        this.services.writeIntervalMillis = o.writeIntervalMillis;
        this.mirror = new SessionMirror(server, services);
    }

    static MirrorFixture async() {
        return new MirrorFixture(new Options());
    }

    static MirrorFixture async(Options o) {
        return new MirrorFixture(o);
    }

    static MirrorFixture sync() {
        return new MirrorFixture(new Options().sync());
    }

    /** Another server of the same cluster (same settings as {@code o}), sharing this one's store. */
    MirrorFixture otherServer(Options o) {
        return new MirrorFixture(o, store);
    }

    @Override
    public void close() {
        services.queue.stop();
    }

    // ---------------------------------------------------------------- requests

    /** One request, driven through the hooks as a server family calls them. */
    final class Req {
        final FakeServer.Request request;
        FakeServer.Session session;

        Req(String uri) {
            request = new FakeServer.Request(uri);
            mirror.requestStarting(request);
        }

        /** The manager looks the id up: found locally (then checked) or not (then maybe restored); null: none. */
        FakeServer.Session lookup(String id) {
            Object local = server.findLocal(FakeServer.MANAGER, id);
            Object s = local != null ? mirror.sessionFound(FakeServer.MANAGER, local, null)
                    : mirror.sessionNotFound(FakeServer.MANAGER, id, null);
            session = (FakeServer.Session) s;
            request.session = session;
            if (session != null) {
                acquire();
            }
            return session;
        }

        /** The request starts using its session (Tomcat's {@code access()}; Jetty counts it itself). */
        private void acquire() {
            if (server.countsOwnUse) {
                session.uses.incrementAndGet();
            } else {
                mirror.sessionAcquired(session, null);
            }
        }

        /** The application asks for a session and there is none: the server creates it. */
        FakeServer.Session create(String id) {
            session = server.create(id);
            request.session = session;
            acquire();
            return session;
        }

        /** {@code lookup}, else {@code create}: {@code request.getSession(true)}. */
        FakeServer.Session session(String id) {
            return lookup(id) != null ? session : create(id);
        }

        Req set(String name, Object value) {
            session.attributes.put(name, value);
            mirror.attributeWritten(session, name);
            return this;
        }

        Req remove(String name) {
            session.attributes.remove(name);
            mirror.attributeWritten(session, name);
            return this;
        }

        Object get(String name) {
            Object v = session.attributes.get(name);
            if (v != null) {
                mirror.attributeRead(session, name, v); // as the advice reports it: by name
            }
            return v;
        }

        /** The application has run: write=sync writes here, before the response. */
        Req completing() {
            mirror.requestCompleting(request);
            return this;
        }

        /** The request releases the session: write=async queues its write here, after the response. */
        void released() {
            if (session != null) {
                if (server.countsOwnUse) {
                    session.uses.decrementAndGet(); // Jetty's count is down when the release hook's exit runs
                }
                mirror.sessionReleased(session);
            }
        }

        /** Both ends of the request. */
        void end() {
            completing();
            released();
        }
    }

    Req request() {
        return new Req("/app/page");
    }

    Req request(String uri) {
        return new Req(uri);
    }

    /**
     * A whole request that sets {@code name} in session {@code id}; the queue is drained. A session that is neither
     * here nor stored is created without a lookup (a browser with no session cookie yet): a lookup that missed would
     * be remembered for a moment and hide what a later lookup of the id decides.
     */
    FakeServer.Session write(String id, String name, Object value) {
        Req r = request();
        if (server.local.containsKey(id) || store.stored(key(id)) != null) {
            r.session(id);
        } else {
            r.create(id);
        }
        r.set(name, value).end();
        settled();
        return r.session;
    }

    /** A request that only reads {@code name}; the queue is drained. */
    Object read(String id, String name) {
        Req r = request();
        r.lookup(id);
        Object v = r.get(name);
        r.end();
        settled();
        return v;
    }

    /** The application invalidates the session (logout). */
    void invalidate(FakeServer.Session s) {
        end(s, DestroyCause.INVALIDATED);
    }

    /** The server destroys the session for {@code cause}, and drops it from its manager. */
    void end(FakeServer.Session s, DestroyCause cause) {
        s.valid = cause == DestroyCause.SHUTDOWN || cause == DestroyCause.IGNORE; // valid while a shutdown writes it
        mirror.sessionDestroyed(s, cause);
        s.valid = false;
        server.local.remove(s.id, s);
    }

    void changeId(FakeServer.Session s, String newId) {
        String old = s.id;
        server.local.remove(old);
        s.id = newId;
        server.local.put(newId, s);
        mirror.sessionIdChanged(s, old);
    }

    /** Waits until the write queue has done everything queued so far. */
    void settled() {
        assertTrue(services.queue.flush(5000), "the write queue drained");
    }

    // ---------------------------------------------------------------- what the store holds

    String key(String id) {
        return services.keys.key(server.app.namespace(), id);
    }

    byte[] stored(String id) {
        return store.stored(key(id));
    }

    boolean tombstoned(String id) {
        return StoredCopy.isTombstone(stored(id));
    }

    Decoded decoded(String id) throws Exception {
        byte[] v = stored(id);
        assertTrue(v != null && !StoredCopy.isTombstone(v), id + " holds a copy");
        return services.codec.decode(v, getClass().getClassLoader(), id, key(id));
    }

    Object storedAttribute(String id, String name) throws Exception {
        return decoded(id).data.attributes().get(name);
    }

    /** A copy of {@code id} at {@code version} with {@code attributes}, as another server would have written it. */
    byte[] seed(String id, long version, Map<String, Object> attributes) throws Exception {
        byte[] payload = seedRaw(id, version, attributes);
        store.set(key(id), payload, 3600);
        return payload;
    }

    /** The copy {@link #seed} would store, not stored. */
    byte[] seedRaw(String id, long version, Map<String, Object> attributes) throws Exception {
        return services.codec.encode(new SessionData(id, System.currentTimeMillis(), 1800, null, null,
                new HashMap<>(attributes)), getClass().getClassLoader(), version, key(id)).payload;
    }

    int sets() {
        return store.calls(Op.SET);
    }

    int gets() {
        return store.calls(Op.GET);
    }

    int touches() {
        return store.calls(Op.TOUCH);
    }

    int tombstones() {
        return store.calls(Op.TOMBSTONE);
    }

    /** The web app's counters (they also count for the agent). */
    Counters stats() {
        return server.app.counters(services.metrics);
    }

    SessionState state(Object session) {
        return mirror.stateOf(session);
    }

    /** Makes the session's last refresh (write or touch) look {@code millis} older: time passes, without a sleep. */
    void age(Object session, long millis) {
        SessionState s = state(session);
        s.lastRefresh -= millis;
    }
}
