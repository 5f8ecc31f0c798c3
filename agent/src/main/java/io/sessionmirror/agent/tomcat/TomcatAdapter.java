package io.sessionmirror.agent.tomcat;

import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.core.LoadedClasses;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.core.WebApp;
import io.sessionmirror.agent.support.Reflector;
import io.sessionmirror.agent.support.WeakIdentityTable;
import java.lang.reflect.Field;
import java.security.Principal;
import java.util.Map;

/**
 * Tomcat 9.0, 10.1 and 11.0 seen through {@link ContainerAdapter}. Server classes are reached by
 * reflection (the agent's class loader cannot see them); the members used are the same in all three
 * lines. Only Tomcat's own in-memory managers ({@code StandardManager}, {@code PersistentManager})
 * are mirrored: a cluster manager or another session manager configured by the user is left alone.
 * <p>
 * Payara's Catalina fork keeps Tomcat's session classes, fields and most methods, and differs in a few: those
 * few are the protected methods here, which {@code PayaraAdapter} overrides; everything else is shared.
 */
public class TomcatAdapter implements ContainerAdapter {

    private static final String[] SUPPORTED_MANAGERS = {
        "org.apache.catalina.session.StandardManager", "org.apache.catalina.session.PersistentManagerBase"};
    private static final String REQUEST = "org.apache.catalina.connector.Request";
    private static final String MANAGER_BASE = "org.apache.catalina.session.ManagerBase";

    private final SessionKeys keys;
    private final WeakIdentityTable<Object, WebApp> webApps = new WeakIdentityTable<>();

    private final ClassValue<Boolean> supportedManagers = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (serverReplicates(type)) {
                return Boolean.FALSE;
            }
            for (String name : SUPPORTED_MANAGERS) {
                if (ancestor(type, name) != null) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    };
    private final ClassValue<Field> requestSessionFields = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            Class<?> request = ancestor(type, REQUEST);
            try {
                return request == null ? null : field(request, "session");
            } catch (IllegalStateException e) {
                return null;
            }
        }
    };
    private final ClassValue<Field> managerSessions = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            Class<?> base = ancestor(type, MANAGER_BASE);
            try {
                return base == null ? null : field(base, "sessions");
            } catch (IllegalStateException e) {
                return null;
            }
        }
    };
    private final Reflector reflector = new Reflector();

    public TomcatAdapter(SessionKeys keys) {
        this.keys = keys;
    }

    // ---------------------------------------------------------------- what a Catalina fork does its own way

    /**
     * Whether {@code managerType} is the server's own replication of sessions, left to the server. Tomcat's cluster
     * managers do not extend the managers mirrored, so none is here.
     */
    protected boolean serverReplicates(Class<?> managerType) {
        return false;
    }

    /** The server's name in the descriptions of web apps ("Tomcat web app '/shop'"). */
    protected String serverName() {
        return "Tomcat";
    }

    /** The Context a manager serves. */
    protected Object contextOf(Object manager) throws ReflectiveOperationException {
        return call(manager, "getContext");
    }

    /** Whether {@code hostName} is the host that requests for no other host go to (the Engine's default host). */
    protected boolean isDefaultHost(Object engine, String hostName) throws ReflectiveOperationException {
        return engine != null && hostName.equalsIgnoreCase((String) call(engine, "getDefaultHost"));
    }

    /** The creation time, read without the validity check of {@code getCreationTime()}. */
    protected long creationTime(Object session) throws ReflectiveOperationException {
        return (Long) call(session, "getCreationTimeInternal");
    }

    /** Whether a session being expired has been idle for its whole timeout ({@code maxInactive} seconds, above 0). */
    protected boolean timedOut(Object session, int maxInactive) throws ReflectiveOperationException {
        return (Long) call(session, "getIdleTimeInternal") >= maxInactive * 1000L;
    }

    /** Whether the manager is stopping (server or web app shutdown), so the sessions it expires are kept. */
    protected boolean stopping(Object manager) throws ReflectiveOperationException {
        return !(Boolean) call(call(manager, "getState"), "isAvailable");
    }

    /** Sets an attribute of a session being restored: no valueBound, no attribute-added event. */
    protected void restoreAttribute(Object session, String name, Object value) throws ReflectiveOperationException {
        call(session, "setAttribute", new Class<?>[] {String.class, Object.class, boolean.class}, name, value, false);
    }

    /** Gives a restored session its id and registers it with its manager, without session-created events. */
    protected void register(Object manager, Object session, String id) throws ReflectiveOperationException {
        call(session, "setId", new Class<?>[] {String.class, boolean.class}, id, false);
    }

    // ---------------------------------------------------------------- web apps

    @Override
    public WebApp webAppOfManager(Object manager) {
        if (manager == null || !supportedManagers.get(manager.getClass())) {
            return null;
        }
        try {
            Object context = contextOf(manager);
            if (context == null) {
                return null;
            }
            ClassLoader loader = classLoaderOf(context);
            WebApp app = webApps.get(manager);
            if (app == null || !app.hasLoader(loader)) { // a reloaded context gets a new class loader
                app = describe(context, loader);
                webApps.put(manager, app);
            }
            return app;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private WebApp describe(Object context, ClassLoader loader) throws ReflectiveOperationException {
        String path = (String) call(context, "getPath");
        Object host = call(context, "getParent");
        String hostName = host == null ? null : (String) call(host, "getName");
        Object engine = host == null ? null : call(host, "getParent");
        // The default host maps to the same key part on every server, so servers of different kinds agree.
        String keyHost = hostName == null || isDefaultHost(engine, hostName) ? SessionKeys.DEFAULT_HOST : hostName;
        String display = serverName() + " web app '" + (path == null || path.isEmpty() ? "/" : path) + "'"
                + (hostName == null ? "" : " on host " + hostName);
        return new WebApp(keys.namespace(keyHost, path), display, loader);
    }

    private ClassLoader classLoaderOf(Object context) throws ReflectiveOperationException {
        Object loader = call(context, "getLoader");
        ClassLoader cl = loader == null ? null : (ClassLoader) call(loader, "getClassLoader");
        return cl != null ? cl : context.getClass().getClassLoader();
    }

    @Override
    public WebApp webAppOfSession(Object session) {
        TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
        if (s == null) {
            return null;
        }
        try {
            return webAppOfManager(s.manager.get(session));
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public String sessionId(Object session) {
        TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
        try {
            return s == null ? null : (String) s.id.get(session);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    @Override
    public int maxInactiveSeconds(Object session) {
        TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
        try {
            return s == null ? (Integer) call(session, "getMaxInactiveInterval") : s.maxInactiveInterval.getInt(session);
        } catch (ReflectiveOperationException e) {
            return 0;
        }
    }

    @Override
    public SessionData snapshot(Object session) {
        TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
        if (s == null) {
            return null;
        }
        try {
            if (!(Boolean) s.isValid.get(session)) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = SessionData.copyOf((Map<String, Object>) s.attributes.get(session));
            return new SessionData((String) s.id.get(session), creationTime(session),
                    (Integer) call(session, "getMaxInactiveInterval"), (String) s.authType.get(session),
                    (Principal) s.principal.get(session), attributes);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read Tomcat session: " + e, e);
        }
    }

    /**
     * Reads {@code ManagerBase.sessions}, the manager's in-memory map, and nothing else. The virtual
     * {@code findSession} would, on a {@code PersistentManager}, load from its Store (and expire a timed-out
     * stored session there): the Store is Tomcat's business, asked by Tomcat itself before the agent is.
     */
    @Override
    public Object findLocal(Object manager, String id) throws Exception {
        Field sessions = managerSessions.get(manager.getClass());
        if (sessions == null || id == null) {
            return null;
        }
        return ((Map<?, ?>) sessions.get(manager)).get(id);
    }

    @Override
    public Object restore(Object manager, String id, SessionData data, Object request) throws Exception {
        Object session = call(manager, "createEmptySession");
        call(session, "setNew", new Class<?>[] {boolean.class}, false);
        call(session, "setValid", new Class<?>[] {boolean.class}, true);
        call(session, "setCreationTime", new Class<?>[] {long.class}, data.creationTime());
        call(session, "setMaxInactiveInterval", new Class<?>[] {int.class}, data.maxInactiveSeconds());
        if (data.authType() != null) {
            call(session, "setAuthType", new Class<?>[] {String.class}, data.authType());
        }
        if (data.principal() != null) {
            call(session, "setPrincipal", new Class<?>[] {Principal.class}, data.principal());
        }
        for (Map.Entry<String, Object> e : data.attributes().entrySet()) {
            restoreAttribute(session, e.getKey(), e.getValue()); // the attributes were always there
        }
        register(manager, session, id);
        call(session, "activate"); // HttpSessionActivationListener.sessionDidActivate
        call(session, "access"); // setCreationTime reset the access times: make it current
        call(session, "endAccess");
        return session;
    }

    // ---------------------------------------------------------------- routes, stale copies

    /** Tomcat's route is the Engine's jvmRoute, after a dot: {@code <id>.<jvmRoute>}. */
    @Override
    public String routedId(Object manager, String id, String route) {
        String r = route;
        if (r == null) {
            try {
                r = (String) call(manager, "getJvmRoute");
            } catch (ReflectiveOperationException | RuntimeException e) {
                r = null;
            }
        }
        return r == null || r.isEmpty() ? id : SessionKeys.stripRoute(id) + "." + r;
    }

    private final WeakIdentityTable<Object, Boolean> routed = new WeakIdentityTable<>();

    /** The route option on a Tomcat without jvmRoute: new ids of this web app get it from the id generator. */
    @Override
    public void useRoute(Object request, String route) {
        try {
            Object context = call(request, "getContext");
            Object manager = context == null ? null : call(context, "getManager");
            if (manager == null || routed.get(manager) != null || !supportedManagers.get(manager.getClass())) {
                return;
            }
            routed.put(manager, Boolean.TRUE);
            Object generator = call(manager, "getSessionIdGenerator");
            if (generator != null) {
                call(generator, "setJvmRoute", new Class<?>[] {String.class}, route);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a request of a context without a manager: nothing to route
        }
    }

    /** {@code Request.changeSessionId(String)} sets the new session cookie, as Tomcat's JvmRouteBinderValve does. */
    @Override
    public void idRewritten(Object request, String newId) throws Exception {
        if (request != null && ancestor(request.getClass(), REQUEST) != null) {
            call(request, "changeSessionId", new Class<?>[] {String.class}, newId);
        }
    }

    /**
     * {@code Manager.remove(Session)}: on a {@code PersistentManager} this also removes the Store's copy, which
     * is what discarding means there too (the copy is stale, or the session ended on another server).
     */
    @Override
    public void discard(Object manager, Object session) throws Exception {
        Class<?> sessionType = Class.forName("org.apache.catalina.Session", false, manager.getClass().getClassLoader());
        call(manager, "remove", new Class<?>[] {sessionType}, session);
    }

    /** Replaces the attributes, principal and timeout in place; no listener is told (nothing happened here). */
    @Override
    public boolean refresh(Object session, SessionData data) throws Exception {
        TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
        if (s == null) {
            return false;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) s.attributes.get(session);
        attributes.keySet().retainAll(data.attributes().keySet());
        attributes.putAll(data.attributes());
        refreshHeader(session, s, data);
        return true;
    }

    @Override
    public boolean refreshChanged(Object session, SessionData data, java.util.Collection<String> changed)
            throws Exception {
        TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
        if (s == null) {
            return false;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) s.attributes.get(session);
        ContainerAdapter.applyChanged(attributes, data, changed);
        refreshHeader(session, s, data);
        return true;
    }

    private void refreshHeader(Object session, TomcatSessionFields s, SessionData data) throws Exception {
        s.principal.set(session, data.principal());
        s.authType.set(session, data.authType());
        call(session, "setMaxInactiveInterval", new Class<?>[] {int.class}, data.maxInactiveSeconds());
    }

    @Override
    public String requestUri(Object request) {
        try {
            return (String) call(request, "getRequestURI");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public Object sessionOfRequest(Object request) {
        Field f = requestSessionFields.get(request.getClass());
        try {
            Object session = f == null ? null : f.get(request);
            if (session == null) {
                return null;
            }
            TomcatSessionFields s = TomcatSessionFields.of(session.getClass());
            return s != null && (Boolean) s.isValid.get(session) ? session : null;
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    @Override
    public DestroyCause destroyCause(Object session, Object reason) {
        return TomcatDestroyCause.of(session, this);
    }

    /** Whether sessions of {@code manager} are mirrored: Tomcat's own managers, not the server's replication. */
    boolean supports(Object manager) {
        return manager != null && supportedManagers.get(manager.getClass());
    }

    // ---------------------------------------------------------------- attach: sessions that exist

    @Override
    public java.util.List<Object> liveSessions(LoadedClasses loaded) {
        return TomcatLiveSessions.of(loaded.loaders(), this);
    }

    // ---------------------------------------------------------------- reflection

    protected static Class<?> ancestor(Class<?> type, String name) {
        return Reflector.ancestor(type, name);
    }

    protected static Field field(Class<?> type, String name) {
        return Reflector.field(type, name);
    }

    protected final Object call(Object target, String name) throws ReflectiveOperationException {
        return reflector.call(target, name);
    }

    protected final Object call(Object target, String name, Class<?>[] types, Object... args) throws ReflectiveOperationException {
        return reflector.call(target, name, types, args);
    }
}
