package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.core.ContainerAdapter;
import io.sessionmirror.agent.support.Reflector;
import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.core.SessionKeys;
import io.sessionmirror.agent.support.WeakIdentityTable;
import io.sessionmirror.agent.core.WebApp;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Undertow 2.x seen through {@link ContainerAdapter}: the manager is {@code InMemorySessionManager}, a
 * session its {@code SessionImpl}. The web app (context path, class loader) is read from the servlet
 * layer's listener bridge when there is one; a plain undertow-core handler uses its deployment name.
 * <p>
 * A restore builds the {@code SessionImpl} itself instead of calling {@code createSession}, which would
 * fire session-created and attribute-added events and stamp a new creation time (a final field).
 */
final class UndertowAdapter implements ContainerAdapter {

    private static final String LISTENER_BRIDGE = "io.undertow.servlet.core.SessionListenerBridge";
    private static final String HTTP_SESSION_IMPL = "io.undertow.servlet.spec.HttpSessionImpl";

    private final SessionKeys keys;
    private final Reflector reflector = new Reflector();
    private final WeakIdentityTable<Object, WebApp> webApps = new WeakIdentityTable<>();
    private volatile Members members;

    UndertowAdapter(SessionKeys keys) {
        this.keys = keys;
    }

    /** Fields and the constructor of the manager and session classes, looked up once. */
    private static final class Members {
        final Field sessions;
        final Field listeners;
        final Field listenerList;
        final Field evictionQueue;
        final Field manager;
        final Field attributes;
        final Field creationTime;
        final Field lastAccessed;
        final Field sessionId;
        final Field invalid;
        final Field invalidationStarted;
        final Field maxInactiveInterval;
        final Constructor<?> newSession;
        final Method requestStarted;
        final Method setEvictionToken;

        Members(Class<?> managerClass) throws ReflectiveOperationException {
            Class<?> mgr = Reflector.ancestor(managerClass, UndertowInstrumentation.MANAGER);
            Class<?> session = Class.forName(UndertowInstrumentation.SESSION, false, mgr.getClassLoader());
            sessions = Reflector.field(mgr, "sessions");
            listeners = Reflector.field(mgr, "sessionListeners");
            listenerList = Reflector.field(listeners.getType(), "sessionListeners");
            evictionQueue = Reflector.field(mgr, "evictionQueue");
            manager = Reflector.field(session, "sessionManager");
            attributes = Reflector.field(session, "attributes");
            creationTime = Reflector.field(session, "creationTime");
            lastAccessed = Reflector.field(session, "lastAccessed");
            sessionId = Reflector.field(session, "sessionId");
            invalid = Reflector.field(session, "invalid");
            invalidationStarted = Reflector.field(session, "invalidationStarted");
            maxInactiveInterval = Reflector.field(session, "maxInactiveInterval");
            newSession = session.getDeclaredConstructors()[0];
            newSession.setAccessible(true);
            requestStarted = Reflector.findMethod(session, "requestStarted", new Class<?>[] {
                Class.forName("io.undertow.server.HttpServerExchange", false, mgr.getClassLoader())});
            setEvictionToken = Reflector.findMethod(session, "setEvictionToken", new Class<?>[] {Object.class});
        }
    }

    private Members members(Object manager) throws ReflectiveOperationException {
        Members m = members;
        if (m == null) {
            m = new Members(manager.getClass());
            members = m;
        }
        return m;
    }

    private final ClassValue<Boolean> managerTypes = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return Reflector.ancestor(type, UndertowInstrumentation.MANAGER) != null;
        }
    };
    /** {@code SessionConfig.findSessionId(HttpServerExchange)} per config class: asked on every lookup miss. */
    private final ClassValue<Method> findSessionId = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (Method m : type.getMethods()) {
                if (m.getName().equals("findSessionId") && m.getParameterCount() == 1) {
                    m.setAccessible(true);
                    return m;
                }
            }
            return null;
        }
    };

    private boolean isManager(Object o) {
        return managerTypes.get(o.getClass());
    }

    // ---------------------------------------------------------------- web apps

    @Override
    public WebApp webAppOfManager(Object manager) {
        if (manager == null || !isManager(manager)) {
            return null;
        }
        WebApp app = webApps.get(manager);
        if (app != null) {
            return app;
        }
        try {
            Object servletContext = servletContext(manager);
            String path;
            ClassLoader loader;
            String display;
            String host = null;
            if (servletContext != null) {
                path = (String) reflector.call(servletContext, "getContextPath");
                loader = (ClassLoader) reflector.call(servletContext, "getClassLoader");
                // The deployment's host name (DeploymentInfo.getHostName; WildFly sets it to the virtual host).
                host = keyHost(virtualServerName(servletContext));
                display = "Undertow web app '" + (path == null || path.isEmpty() ? "/" : path) + "'"
                        + (SessionKeys.DEFAULT_HOST.equals(host) ? "" : " on host " + host);
            } else {
                // undertow-core without servlets: the deployment name is all there is.
                String name = (String) reflector.call(manager, "getDeploymentName");
                path = "/" + name;
                loader = Thread.currentThread().getContextClassLoader();
                display = "Undertow deployment '" + name + "'";
            }
            app = new WebApp(keys.namespace(host, path), display, loader);
            webApps.put(manager, app);
            return app;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The host part of the key namespace for a deployment's host name. Undertow's default host name
     * ({@code localhost}, what {@code DeploymentInfo} starts with) and WildFly's ({@code default-host}) map
     * to the default host, as Tomcat's default host and a Jetty context without virtual hosts do, so a
     * single-host cluster of mixed servers shares keys; any other host keeps its own namespace (lower case,
     * as Tomcat names hosts).
     */
    static String keyHost(String hostName) {
        if (hostName == null || hostName.isEmpty() || hostName.equalsIgnoreCase("localhost")
                || hostName.equalsIgnoreCase("default-host")) {
            return SessionKeys.DEFAULT_HOST;
        }
        return hostName.toLowerCase(java.util.Locale.ROOT);
    }

    private String virtualServerName(Object servletContext) {
        try {
            return (String) reflector.call(servletContext, "getVirtualServerName");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a servlet layer without virtual server names: the default host
        }
    }

    /** The servlet context of the manager's deployment, via the servlet layer's session listener bridge. */
    private Object servletContext(Object manager) throws ReflectiveOperationException {
        Members m = members(manager);
        Object listeners = m.listeners.get(manager);
        for (Object listener : (List<?>) m.listenerList.get(listeners)) {
            Class<?> bridge = Reflector.ancestor(listener.getClass(), LISTENER_BRIDGE);
            if (bridge != null) {
                return Reflector.field(bridge, "servletContext").get(listener);
            }
        }
        return null;
    }

    @Override
    public WebApp webAppOfSession(Object session) {
        try {
            Object manager = managerOf(session);
            return manager == null ? null : webAppOfManager(manager);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private Object managerOf(Object session) throws ReflectiveOperationException {
        if (Reflector.ancestor(session.getClass(), UndertowInstrumentation.SESSION) == null) {
            return null;
        }
        Members m = members;
        if (m == null) {
            Field f = Reflector.field(session.getClass(), "sessionManager");
            return f.get(session);
        }
        return m.manager.get(session);
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public String requestedId(Object manager, Object request) {
        if (!(request instanceof Object[])) {
            return null;
        }
        Object[] exchangeAndConfig = (Object[]) request;
        try {
            Method find = findSessionId.get(exchangeAndConfig[1].getClass());
            return find == null ? null : (String) find.invoke(exchangeAndConfig[1], exchangeAndConfig[0]);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String sessionId(Object session) {
        try {
            return (String) members(managerOf(session)).sessionId.get(session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public int maxInactiveSeconds(Object session) {
        try {
            return (Integer) members(managerOf(session)).maxInactiveInterval.get(session);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public SessionData snapshot(Object session) {
        try {
            Members m = members(managerOf(session));
            if ((Boolean) m.invalid.get(session) || (Boolean) m.invalidationStarted.get(session)) {
                return null;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> attributes = new HashMap<>((Map<String, Object>) m.attributes.get(session));
            return new SessionData((String) m.sessionId.get(session), (Long) m.creationTime.get(session),
                    (Integer) m.maxInactiveInterval.get(session), null, null, attributes);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read Undertow session: " + e, e);
        }
    }

    @Override
    public Object findLocal(Object manager, String id) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> sessions = (Map<String, Object>) members(manager).sessions.get(manager);
        return sessions.get(id);
    }

    @Override
    public Object restore(Object manager, String id, SessionData data, Object request) throws Exception {
        if (!(request instanceof Object[])) {
            return null; // Undertow needs the exchange (its I/O thread and worker run the timeout timer)
        }
        Object exchange = ((Object[]) request)[0];
        Object config = ((Object[]) request)[1];
        Members m = members(manager);
        Object ioThread = reflector.call(exchange, "getIoThread");
        Object worker = reflector.call(reflector.call(exchange, "getConnection"), "getWorker");
        Object session = m.newSession.newInstance(manager, config, ioThread, worker, data.maxInactiveSeconds());
        long now = System.currentTimeMillis();
        m.creationTime.set(session, data.creationTime()); // final: settable through reflection only
        m.lastAccessed.set(session, now);
        m.sessionId.set(session, id);
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) m.attributes.get(session);
        attributes.putAll(data.attributes()); // no listeners: the attributes were always there
        @SuppressWarnings("unchecked")
        Map<String, Object> sessions = (Map<String, Object>) m.sessions.get(manager);
        Object existing = sessions.putIfAbsent(id, session);
        if (existing != null) {
            return existing;
        }
        Object queue = m.evictionQueue.get(manager);
        if (queue != null) {
            Object token = reflector.call(queue, "offerLastAndReturnToken", new Class<?>[] {Object.class}, id);
            m.setEvictionToken.invoke(session, token);
        }
        m.requestStarted.invoke(session, exchange); // access time of this request, starts the timeout timer
        activate(manager, session);
        return session;
    }

    /** HttpSessionActivationListener.sessionDidActivate for attributes that listen (servlet layer only). */
    private void activate(Object manager, Object session) throws ReflectiveOperationException {
        Object servletContext = servletContext(manager);
        if (servletContext == null) {
            return;
        }
        Object httpSession = null;
        Map<?, ?> attributes = (Map<?, ?>) members(manager).attributes.get(session);
        for (Object value : attributes.values()) {
            Method listener = activationMethod(value.getClass());
            if (listener == null) {
                continue;
            }
            if (httpSession == null) {
                Class<?> impl = Class.forName(HTTP_SESSION_IMPL, false, servletContext.getClass().getClassLoader());
                Method forSession = Reflector.findMethod(impl, "forSession", new Class<?>[] {
                    Class.forName("io.undertow.server.session.Session", false, impl.getClassLoader()),
                    servletContextType(servletContext), boolean.class});
                httpSession = forSession.invoke(null, session, servletContext, false);
            }
            Class<?> eventType = listener.getParameterTypes()[0];
            Object event = eventType.getConstructors()[0].newInstance(httpSession); // HttpSessionEvent(HttpSession)
            listener.invoke(value, event);
        }
    }

    private static Class<?> servletContextType(Object servletContext) {
        for (Class<?> c = servletContext.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().endsWith(".ServletContext")) {
                    return i;
                }
            }
        }
        return Object.class;
    }

    private static Method activationMethod(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().endsWith(".http.HttpSessionActivationListener")) {
                    try {
                        for (Method m : i.getMethods()) {
                            if (m.getName().equals("sessionDidActivate") && m.getParameterCount() == 1) {
                                return m;
                            }
                        }
                    } catch (SecurityException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- attach: sessions that exist

    /**
     * Undertow's managers are not reachable from a class loader. But every session with a timeout has its
     * expiry task queued on an XNIO I/O thread; the task is an inner class of the session, and the session
     * knows its manager. Every session of each manager found that way is exported.
     */
    @Override
    public List<Object> liveSessions(java.util.Set<ClassLoader> loaders) {
        java.util.Set<Object> managers = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            Class<?> worker = Reflector.ancestor(thread.getClass(), "org.xnio.nio.WorkerThread");
            if (worker == null) {
                continue;
            }
            try {
                Object queue = Reflector.field(worker, "delayWorkQueue").get(thread);
                for (Object key : snapshot((java.util.Collection<?>) queue)) {
                    Object command = Reflector.field(key.getClass(), "command").get(key);
                    Class<?> outer = command == null ? null : command.getClass().getEnclosingClass();
                    if (outer != null && outer.getName().equals(UndertowInstrumentation.SESSION)) {
                        Object session = Reflector.field(command.getClass(), "this$0").get(command);
                        managers.add(managerOf(session));
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // another XNIO layout: nothing found on this thread
            }
        }
        List<Object> sessions = new java.util.ArrayList<>();
        for (Object manager : managers) {
            try {
                if (manager != null && webAppOfManager(manager) != null) {
                    sessions.addAll(((Map<?, ?>) members(manager).sessions.get(manager)).values());
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // skip this manager
            }
        }
        return sessions;
    }

    /** A copy of a collection another thread owns (the I/O thread's timer queue), retried if it changed. */
    private static List<Object> snapshot(java.util.Collection<?> owned) {
        for (int attempt = 0; ; attempt++) {
            try {
                return new java.util.ArrayList<>(owned);
            } catch (java.util.ConcurrentModificationException | java.util.NoSuchElementException e) {
                if (attempt == 10) {
                    return java.util.Collections.emptyList();
                }
            }
        }
    }

    /**
     * The session of a servlet response that is about to close (the servlet layer keeps the request's
     * HttpSessionImpl as an exchange attachment under its context's key). Core-only Undertow has no such
     * point: it writes when the request is done with the session ({@code requestDone}).
     */
    @Override
    public Object sessionOfRequest(Object response) {
        try {
            ResponseFields f = responseFields.get(response.getClass());
            Object context = f.servletContext.get(response);
            Object exchange = f.exchange.get(response);
            if (context == null || exchange == null) {
                return null;
            }
            Object key = contextKeys.get(context.getClass()).get(context);
            Object httpSession = f.getAttachment.invoke(exchange, key);
            return httpSession == null ? null : sessionFields.get(httpSession.getClass()).get(httpSession);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The members {@link #sessionOfRequest} reads, looked up once per class (it runs on every request). */
    private static final class ResponseFields {
        final Field servletContext;
        final Field exchange;
        final Method getAttachment;

        ResponseFields(Class<?> response) throws ReflectiveOperationException {
            servletContext = Reflector.field(response, "servletContext");
            exchange = Reflector.field(response, "exchange");
            Class<?> exchangeType = exchange.getType();
            getAttachment = exchangeType.getMethod("getAttachment",
                    Class.forName("io.undertow.util.AttachmentKey", false, exchangeType.getClassLoader()));
        }
    }

    private final ClassValue<ResponseFields> responseFields = new ClassValue<ResponseFields>() {
        @Override
        protected ResponseFields computeValue(Class<?> type) {
            try {
                return new ResponseFields(type);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    };
    private final ClassValue<Field> contextKeys = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            return Reflector.field(type, "sessionAttachmentKey");
        }
    };
    private final ClassValue<Field> sessionFields = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            return Reflector.field(type, "session");
        }
    };

    // ---------------------------------------------------------------- non-sticky

    @Override
    public Object requestOf(Object lookupArgument) {
        return lookupArgument instanceof Object[] ? ((Object[]) lookupArgument)[0] : lookupArgument;
    }

    @Override
    public String requestUri(Object request) {
        try {
            return (String) reflector.call(requestOf(request), "getRequestURI");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Replaces the attributes in place; the timeout through the session's own setter (it reschedules expiry). */
    @Override
    public boolean refresh(Object session, SessionData data) throws Exception {
        Members m = members(managerOf(session));
        @SuppressWarnings("unchecked")
        Map<String, Object> attributes = (Map<String, Object>) m.attributes.get(session);
        attributes.keySet().retainAll(data.attributes().keySet());
        attributes.putAll(data.attributes());
        if ((Integer) m.maxInactiveInterval.get(session) != data.maxInactiveSeconds()) {
            reflector.call(session, "setMaxInactiveInterval", new Class<?>[] {int.class}, data.maxInactiveSeconds());
        }
        return true;
    }

    /** Out of the manager's map, and marked as being invalidated so its expiry timer does nothing. */
    @Override
    public void discard(Object manager, Object session) throws Exception {
        Members m = members(manager);
        m.invalidationStarted.set(session, true);
        m.invalid.set(session, true);
        @SuppressWarnings("unchecked")
        Map<String, Object> sessions = (Map<String, Object>) m.sessions.get(manager);
        sessions.remove(m.sessionId.get(session), session);
    }

    @Override
    public DestroyCause destroyCause(Object session, Object reason) {
        try {
            Object manager = managerOf(session);
            if (manager == null) {
                return DestroyCause.IGNORE;
            }
            Members m = members(manager);
            if ((Boolean) m.invalidationStarted.get(session) || findLocal(manager, (String) m.sessionId.get(session)) != session) {
                return DestroyCause.IGNORE; // already invalidated, or not (or no longer) in the manager
            }
            String why = reason == null ? "INVALIDATED" : reason.toString();
            switch (why) {
                case "INVALIDATED":
                    return DestroyCause.INVALIDATED;
                case "TIMEOUT":
                    return DestroyCause.TIMED_OUT;
                default:
                    return DestroyCause.SHUTDOWN; // UNDEPLOY
            }
        } catch (Exception e) {
            return DestroyCause.IGNORE;
        }
    }
}
