package io.sessionmirror.benchmarks;

import io.sessionmirror.agent.codec.FstSerializer;
import io.sessionmirror.agent.codec.JavaSerializer;
import io.sessionmirror.agent.codec.SessionCodec;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.config.Option;
import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.MirrorServices;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.core.SessionMirror;
import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.core.WriteBehindQueue;
import io.sessionmirror.agent.metrics.Counters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The agent's own work per request, without a server: {@link SessionMirror}'s hooks called in the order Tomcat's
 * advice calls them (request start, lookup hit, getAttribute, setAttribute, the request's end, the session's
 * release), over a fake server ({@link BenchServer}) and a store in a map ({@link MapStore}), write=async, sticky.
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is what the agent allocates per request (issue 17 wants 0 B
 * for a read-only one). 32 hot sessions, taken in turn; each is written once in the set-up, so a read-only request
 * finds it known and unchanged.
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RequestPathBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// FST (serializer=fst) reflects into java.base, as in CodecBenchmark; harmless for the default (java).
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.math=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED"})
@State(Scope.Thread)
public class RequestPathBenchmark {

    private static final int SESSIONS = 32;

    private BenchServer server;
    private MirrorServices services;
    private SessionMirror mirror;
    private BenchServer.Session[] sessions;
    /** One request object per session, reused: a server recycles its request objects too. */
    private BenchServer.Request[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        server = new BenchServer("/shop");
        // As MirrorServices.create with the defaults: FST (Java to read), no compression, write=async, sticky.
        SessionCodec codec = new SessionCodec(null, -1, new FstSerializer(), new JavaSerializer());
        services = new MirrorServices(new MapStore(), new WriteBehindQueue(10_000), codec, new SessionKeys("sm"),
                new Counters(), false, false, null, null, 0, 1024 * 1024);
        services.writeIntervalMillis = Long.parseLong(Option.WRITE_INTERVAL.defaultValue()); // as a default start
        mirror = new SessionMirror(server, services);
        sessions = new BenchServer.Session[SESSIONS];
        requests = new BenchServer.Request[SESSIONS];
        for (int i = 0; i < SESSIONS; i++) {
            String id = String.format("%032X", 0x9542D05271D438CFL * (i + 1));
            BenchServer.Session s = server.create(id);
            List<String> cart = new ArrayList<>();
            for (int j = 0; j < 5; j++) {
                cart.add("SKU-" + (100_000 + j));
            }
            s.attributes.put("user", "alice" + i + "@example.com");
            s.attributes.put("locale", "en-GB");
            s.attributes.put("cart", cart);
            s.attributes.put("visits", 0);
            sessions[i] = s;
            requests[i] = new BenchServer.Request("/shop/cart");
            // Its first request: the session is new to the agent and written (queued) once.
            BenchServer.Request r = requests[i];
            mirror.requestStarting(r);
            r.session = s;
            mirror.requestCompleting(r);
            mirror.sessionReleased(s);
            r.session = null;
        }
        if (!services.queue.flush(10_000)) {
            throw new IllegalStateException("the first writes were not done");
        }
    }

    /**
     * What the agent counted, and a failure if it failed: a measurement of its error path (e.g. FST without its
     * --add-opens, when -jvmArgsAppend on the command line replaces this class's) is not one of its request path.
     */
    @TearDown(Level.Trial)
    public void tearDown() {
        services.queue.flush(10_000);
        services.queue.stop(1000);
        Counters c = services.stats;
        System.out.printf("%nagent counters: requests %d, writes %d, unchanged %d, touches %d, failures %d%n",
                c.requests.sum(), c.writes.sum(), c.unchanged.sum(), c.touches.sum(), c.failures.sum());
        if (c.failures.sum() > 0 || services.queue.failed() > 0) {
            throw new IllegalStateException("the agent failed on the benchmarked path: not a measurement of it");
        }
    }

    /** Request start and a lookup that finds the next hot session here; returns it. */
    private BenchServer.Session start(BenchServer.Request r, int i) {
        mirror.requestStarting(r);
        Object found = server.findLocal(BenchServer.MANAGER, sessions[i].id);
        BenchServer.Session s = (BenchServer.Session) mirror.sessionFound(BenchServer.MANAGER, found, null);
        mirror.sessionAcquired(s, null); // Tomcat's access(), right after the lookup
        r.session = s;
        return s;
    }

    /** {@code session.getAttribute(name)} with its advice: a non-null value is reported. */
    private Object get(BenchServer.Session s, String name) {
        Object v = s.attributes.get(name);
        if (v != null) {
            mirror.attributeRead(s, v);
        }
        return v;
    }

    /** Tomcat's order: the host valve's exit (request completing), then the session's endAccess (release). */
    private void end(BenchServer.Request r, BenchServer.Session s) {
        mirror.requestCompleting(r);
        mirror.sessionReleased(s);
        r.session = null;
    }

    private int nextIndex() {
        int i = next;
        next = i + 1 == SESSIONS ? 0 : i + 1;
        return i;
    }

    /** Reads an immutable attribute (a String) and a mutable one (an ArrayList), changes nothing. */
    @Benchmark
    public int readOnly() {
        int i = nextIndex();
        BenchServer.Request r = requests[i];
        BenchServer.Session s = start(r, i);
        Object user = get(s, "user");
        Object cart = get(s, "cart");
        end(r, s);
        return user.hashCode() + cart.hashCode();
    }

    /** Reads immutable attributes only (two Strings). */
    @Benchmark
    public int readOnlyImmutable() {
        int i = nextIndex();
        BenchServer.Request r = requests[i];
        BenchServer.Session s = start(r, i);
        Object user = get(s, "user");
        Object locale = get(s, "locale");
        end(r, s);
        return user.hashCode() + locale.hashCode();
    }

    /** As {@link #readOnly}, plus a setAttribute (a counter the application increments). */
    @Benchmark
    public int write() {
        int i = nextIndex();
        BenchServer.Request r = requests[i];
        BenchServer.Session s = start(r, i);
        Object user = get(s, "user");
        Object cart = get(s, "cart");
        Integer visits = (Integer) get(s, "visits");
        s.attributes.put("visits", visits + 1);
        mirror.attributeWritten(s, "visits");
        end(r, s);
        return user.hashCode() + cart.hashCode();
    }

    /**
     * A server family reduced to what the core asks on a request path: one web app, sessions as plain objects,
     * requests that hold a session. Restore, refresh and discard are not on a hot path and not supported.
     */
    static final class BenchServer implements ContainerAdapter {

        static final Object MANAGER = new Object();

        static final class Session {
            final String id;
            final long created = System.currentTimeMillis();
            final Map<String, Object> attributes = new ConcurrentHashMap<>();

            Session(String id) {
                this.id = id;
            }
        }

        static final class Request {
            final String uri;
            Session session;

            Request(String uri) {
                this.uri = uri;
            }
        }

        final WebApp app;
        final Map<String, Session> local = new ConcurrentHashMap<>();

        BenchServer(String contextPath) {
            app = new WebApp(new SessionKeys("sm").namespace(null, contextPath), contextPath,
                    BenchServer.class.getClassLoader());
        }

        Session create(String id) {
            Session s = new Session(id);
            local.put(id, s);
            return s;
        }

        @Override
        public WebApp webAppOfManager(Object manager) {
            return app;
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
            return 1800;
        }

        /** As a server's snapshot: a copy of the attributes, taken at the end of a request. */
        @Override
        public SessionData snapshot(Object session) {
            Session s = (Session) session;
            return new SessionData(s.id, s.created, 1800, null, null, new HashMap<>(s.attributes));
        }

        @Override
        public Object findLocal(Object manager, String id) {
            return local.get(id);
        }

        @Override
        public Object restore(Object manager, String id, SessionData data, Object request) {
            throw new UnsupportedOperationException("no restore on the benchmarked path");
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
            return DestroyCause.IGNORE;
        }
    }
}
