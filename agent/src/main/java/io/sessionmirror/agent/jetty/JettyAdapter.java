package io.sessionmirror.agent.jetty;

import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.LoadedClasses;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.support.AgentLog;
import io.sessionmirror.agent.support.Reflector;
import io.sessionmirror.agent.support.WeakIdentityTable;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Jetty 9.4 to 12.1 seen through {@link ContainerAdapter}. A "manager" is the session data store (the
 * lookup hook sits there); a "session" is Jetty's session object ({@code Session}, or {@code ManagedSession}
 * in 12.x), which holds a {@code SessionData}. A failover restore builds that data with the store's own
 * {@code newSessionData}; the cache then wraps it in a session and the adapter fires activation listeners.
 * Both lines expose the same member names except for the session's owner ({@code getSessionHandler} /
 * {@code getSessionManager}) and activation ({@code didActivate} / {@code onSessionActivation}).
 */
final class JettyAdapter implements ContainerAdapter {

    private static final Logger LOG = AgentLog.get();
    /** Jetty's vhost for a context without virtual hosts: the default host. */
    private static final String ANY_HOST = "0.0.0.0";

    private final SessionKeys keys;
    private final Reflector reflector = new Reflector();
    private final JettyDecodeScope decodeScope = new JettyDecodeScope();
    /** Per SessionContext (one per web app): its key namespace and class loader. */
    private final WeakIdentityTable<Object, WebApp> webApps = new WeakIdentityTable<>();

    private final ClassValue<Field> storeContext = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            return isJetty(type, "AbstractSessionDataStore") ? fieldOrNull(type, "_context") : null;
        }
    };
    private final ClassValue<Field> managerContext = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            return fieldOrNull(type, "_sessionContext");
        }
    };
    JettyAdapter(SessionKeys keys) {
        this.keys = keys;
    }

    /**
     * A field, or null when this Jetty has none: a ClassValue that threw would be computed again on every call.
     * (FamilyGate names a missing field once, before the class is instrumented.)
     */
    private static Field fieldOrNull(Class<?> type, String name) {
        try {
            return Reflector.field(type, name);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static boolean isJetty(Class<?> type, String simpleName) {
        return Reflector.ancestor(type, JettyInstrumentation.LEGACY + simpleName) != null
                || Reflector.ancestor(type, JettyInstrumentation.CORE + simpleName) != null;
    }

    // ---------------------------------------------------------------- web apps

    /**
     * The web app whose store missed, if the agent may restore into it: only when that store is Jetty's
     * {@code NullSessionDataStore} (the default), which keeps nothing, so Memcached is the sessions' only
     * copy outside this JVM. A real store (file, JDBC, ...) is the authority on which sessions exist: a miss
     * there means the store never had the session, or it expired, evicted-and-swept or deleted it, and the
     * agent cannot tell which, so it never restores over it (that would bring an ended session back). Its
     * sessions are still mirrored (the write path goes by session, not by store).
     */
    @Override
    public WebApp webAppOfManager(Object store) {
        Field f = storeContext.get(store.getClass());
        try {
            WebApp app = f == null ? null : webAppOfContext(f.get(store));
            if (app != null && ownStores.get(store.getClass())) {
                ownStoreReported(store, app);
                return null;
            }
            return app;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether a store class is a real store, not Jetty's {@code NullSessionDataStore}. */
    private final ClassValue<Boolean> ownStores = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return !isJetty(type, "NullSessionDataStore");
        }
    };
    private final WeakIdentityTable<Object, Boolean> reportedStores = new WeakIdentityTable<>();

    /** Once per store: says why lookups there never reach Memcached. */
    private void ownStoreReported(Object store, WebApp app) {
        if (reportedStores.get(store) != null) {
            return;
        }
        reportedStores.put(store, Boolean.TRUE);
        LOG.info("{} keeps its sessions in its own {}: that store decides which sessions exist, so Session Mirror"
                + " mirrors them to Memcached but never restores one into it (that could bring back a session the"
                + " store expired or deleted). For failover through Memcached, keep Jetty's default"
                + " NullSessionDataStore.", app, store.getClass().getSimpleName());
    }

    @Override
    public WebApp webAppOfSession(Object session) {
        JettySessionFields s = JettySessionFields.of(session.getClass());
        if (s == null) {
            return null;
        }
        try {
            Object manager = s.manager.get(session);
            return manager == null ? null : webAppOfContext(managerContext.get(manager.getClass()).get(manager));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A SessionContext: canonical path and vhost, plus the server's context (path, class loader). */
    private WebApp webAppOfContext(Object sessionContext) throws ReflectiveOperationException {
        if (sessionContext == null) {
            return null;
        }
        Object context = reflector.call(sessionContext, "getContext");
        if (context == null) {
            return null;
        }
        ClassLoader loader = (ClassLoader) reflector.call(context, "getClassLoader");
        WebApp app = webApps.get(sessionContext);
        if (app == null || !app.hasLoader(loader)) {
            String path = (String) reflector.call(context, "getContextPath");
            String vhost = (String) reflector.call(sessionContext, "getVhost");
            String host = vhost == null || ANY_HOST.equals(vhost) ? SessionKeys.DEFAULT_HOST : vhost;
            String display = "Jetty web app '" + (path == null || path.isEmpty() ? "/" : path) + "'"
                    + (SessionKeys.DEFAULT_HOST.equals(host) ? "" : " on host " + host);
            app = new WebApp(keys.namespace(host, path), display, loader);
            webApps.put(sessionContext, app);
        }
        return app;
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public String sessionId(Object session) {
        try {
            return (String) reflector.call(data(session), "getId");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public int maxInactiveSeconds(Object session) {
        try {
            return seconds((Long) reflector.call(data(session), "getMaxInactiveMs"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    private static int seconds(long millis) {
        return millis <= 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, millis / 1000);
    }

    private Object data(Object session) throws ReflectiveOperationException {
        JettySessionFields s = JettySessionFields.of(session.getClass());
        if (s == null) {
            throw new IllegalStateException("not a Jetty session: " + session.getClass().getName());
        }
        return s.data.get(session);
    }

    @Override
    public SessionData snapshot(Object session) {
        try {
            if (!(Boolean) reflector.call(session, "isValid")) {
                return null;
            }
            Object data = data(session);
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = new HashMap<>((Map<String, Object>) reflector.call(data, "getAllAttributes"));
            return new SessionData((String) reflector.call(data, "getId"), (Long) reflector.call(data, "getCreated"),
                    seconds((Long) reflector.call(data, "getMaxInactiveMs")), null, null, attributes);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read Jetty session: " + e, e);
        }
    }

    /**
     * In the web app's context scope, with Jetty's own classes visible: what Jetty's own loads do, so the
     * container login in a session survives (see {@link JettyDecodeScope}). {@code manager} is the data store
     * (a restore) or the session manager (a refresh of a stale copy).
     */
    @Override
    public <T> T decodeAsServer(Object manager, WebApp app, Decode<T> decode) throws Exception {
        Field f = storeContext.get(manager.getClass());
        if (f == null) {
            f = managerContext.get(manager.getClass());
        }
        Object sessionContext = f == null ? null : f.get(manager);
        return decodeScope.decode(sessionContext, app, manager.getClass().getClassLoader(), decode);
    }

    @Override
    public Object findLocal(Object store, String id) {
        return null; // the cache loads each id once (computeIfAbsent): no concurrent restore to join
    }

    /** Returns Jetty SessionData; the cache wraps it into a session and {@link #activated} follows. */
    @Override
    public Object restore(Object store, String id, SessionData data, Object request) throws Exception {
        long now = System.currentTimeMillis();
        long maxInactiveMs = data.maxInactiveSeconds() <= 0 ? -1 : data.maxInactiveSeconds() * 1000L;
        Object sd = reflector.call(store, "newSessionData",
                new Class<?>[] {String.class, long.class, long.class, long.class, long.class},
                id, data.creationTime(), now, now, maxInactiveMs);
        reflector.call(sd, "putAllAttributes", new Class<?>[] {Map.class}, data.attributes());
        // Saved before (elsewhere): not new, not dirty; expiry counted from now.
        reflector.call(sd, "setLastSaved", new Class<?>[] {long.class}, now);
        reflector.call(sd, "calcAndSetExpiry", new Class<?>[] {long.class}, now);
        reflector.call(sd, "setDirty", new Class<?>[] {boolean.class}, false);
        return sd;
    }

    @Override
    public Object restoredContent(Object session) {
        try {
            JettySessionFields s = JettySessionFields.of(session.getClass());
            return s == null ? null : s.data.get(session);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    @Override
    public void activated(Object session) throws Exception {
        // HttpSessionActivationListener.sessionDidActivate for every attribute that listens. Jetty 12 lets
        // listeners read the session only once it is resident, which the cache marks right after loading.
        if (reflector.has(session, "onSessionActivation")) {
            reflector.call(session, "setResident", new Class<?>[] {boolean.class}, true);
            reflector.call(session, "onSessionActivation");
        } else {
            reflector.call(session, "didActivate");
        }
    }

    @Override
    public Object sessionOfRequest(Object request) {
        // The commit advice passes the session itself; otherwise Jetty writes when the cache releases it.
        return request != null && JettySessionFields.of(request.getClass()) != null ? request : null;
    }

    @Override
    public DestroyCause destroyCause(Object session, Object reason) {
        JettySessionFields s = JettySessionFields.of(session.getClass());
        if (s == null) {
            return DestroyCause.IGNORE;
        }
        try {
            Object state = s.state.get(session);
            if (state == null || "INVALID".equals(state.toString())) {
                return DestroyCause.IGNORE; // already invalid: finishInvalidate does nothing more
            }
            Object manager = s.manager.get(session);
            if (manager == null || !(Boolean) reflector.call(manager, "isRunning")) {
                return DestroyCause.SHUTDOWN; // invalidate-on-shutdown, or a context being stopped
            }
            Object data = s.data.get(session);
            boolean expired = (Boolean) reflector.call(data, "isExpiredAt", new Class<?>[] {long.class},
                    System.currentTimeMillis());
            return expired ? DestroyCause.TIMED_OUT : DestroyCause.INVALIDATED;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return DestroyCause.IGNORE;
        }
    }

    // ---------------------------------------------------------------- attach: sessions that exist

    /**
     * Each web app class loader ({@code WebAppClassLoader} of 9.4 to 11, or of an EE environment of 12)
     * knows its context; the context its session handler, the handler its cache of live sessions.
     */
    @Override
    public java.util.List<Object> liveSessions(LoadedClasses loaded) {
        java.util.List<Object> sessions = new java.util.ArrayList<>();
        for (ClassLoader loader : loaded.loaders()) {
            String name = loader.getClass().getName();
            if (!name.startsWith("org.eclipse.jetty.") || !name.endsWith(".webapp.WebAppClassLoader")) {
                continue;
            }
            try {
                Object context = Reflector.field(loader.getClass(), "_context").get(loader);
                Object handler = context == null ? null : reflector.call(context, "getSessionHandler");
                if (handler == null) {
                    continue;
                }
                // 12's ee8/ee9 handlers wrap a core session manager; the others are one.
                Object manager = reflector.has(handler, "getSessionCache") ? handler : reflector.call(handler, "getSessionManager");
                Object cache = reflector.call(manager, "getSessionCache");
                Object map = cache == null ? null : Reflector.field(cache.getClass(), "_sessions").get(cache);
                if (map instanceof Map) {
                    sessions.addAll(((Map<?, ?>) map).values());
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not laid out so in this Jetty, or a cache that keeps no sessions in memory: nothing to export
            }
        }
        return sessions;
    }

    /** Jetty counts the requests using a session itself ({@code Session._requests}): that count is read. */
    @Override
    public int requestsUsing(Object session) {
        JettySessionFields s = JettySessionFields.of(session.getClass());
        if (s == null) {
            return -1;
        }
        try {
            return (int) Math.min(Integer.MAX_VALUE, s.requests.getLong(session));
        } catch (IllegalAccessException | RuntimeException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- routes, stale copies, non-sticky

    /**
     * The lookup hook passes the requested extended id ({@code <id>.<worker name>}); at its exit Jetty has
     * already given the session this server's worker name and, if it differed, flagged a new cookie.
     */
    @Override
    public boolean cameFromElsewhere(Object session, Object request) {
        if (!(request instanceof String)) {
            return false;
        }
        try {
            return !request.equals(reflector.call(session, "getExtendedId"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** Each request parses its own requested id: the String is the request's identity for the agent. */
    @Override
    public Object requestOf(Object lookupArgument) {
        return lookupArgument instanceof String ? lookupArgument : null;
    }

    /** Replaces the attributes of the session's data in place, and its timeout; no listener is told. */
    @Override
    public boolean refresh(Object session, SessionData data) throws Exception {
        return refresh(session, data, null);
    }

    @Override
    public boolean refreshChanged(Object session, SessionData data, java.util.Collection<String> changed)
            throws Exception {
        return refresh(session, data, changed);
    }

    /** {@code changed}: only those attributes (null: all of them, replaced). */
    private boolean refresh(Object session, SessionData data, java.util.Collection<String> changed) throws Exception {
        Object sessionData = Reflector.field(session.getClass(), "_sessionData").get(session);
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) Reflector.field(sessionData.getClass(), "_attributes")
                .get(sessionData);
        if (changed == null) {
            attributes.keySet().retainAll(data.attributes().keySet());
            attributes.putAll(data.attributes());
        } else {
            ContainerAdapter.applyChanged(attributes, data, changed);
        }
        reflector.call(sessionData, "setMaxInactiveMs", new Class<?>[] {long.class}, data.maxInactiveSeconds() * 1000L);
        return true;
    }

    /** Out of the handler's session cache, without listeners (the session ended on another server). */
    @Override
    public void discard(Object handler, Object session) throws Exception {
        Object cache = reflector.call(handler, "getSessionCache");
        reflector.call(cache, "delete", new Class<?>[] {String.class}, reflector.call(session, "getId"));
    }
}
