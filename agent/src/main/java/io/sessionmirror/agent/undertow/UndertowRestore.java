package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.codec.SessionData;
import io.sessionmirror.agent.support.Reflector;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Rebuilds a stored session inside an {@code InMemorySessionManager} as if it had always been there. It builds
 * the {@code SessionImpl} itself instead of calling {@code createSession}, which would fire session-created
 * and attribute-added events and stamp a new creation time (a final field); then tells the attributes that
 * listen for activation, as a servlet container does after passivation (Undertow has no such step itself).
 */
final class UndertowRestore {

    private static final String HTTP_SESSION_IMPL = "io.undertow.servlet.spec.HttpSessionImpl";

    private final UndertowMembers members;
    private final UndertowWebApps webApps;
    private final Reflector reflector = new Reflector();

    UndertowRestore(UndertowMembers members, UndertowWebApps webApps) {
        this.members = members;
        this.webApps = webApps;
    }

    /** {@code exchangeAndConfig}: the lookup advice's {@code Object[] {HttpServerExchange, SessionConfig}}. */
    Object restore(Object manager, String id, SessionData data, Object[] exchangeAndConfig) throws Exception {
        Object exchange = exchangeAndConfig[0];
        Object config = exchangeAndConfig[1];
        UndertowMembers.Members m = members.of(manager);
        // Undertow needs the exchange: its I/O thread and worker run the session's timeout timer.
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
        activate(manager, session, m);
        // A cookie with the dead server's route (WildFly's instance-id): the balancer must send the user here now.
        UndertowRoutes.answerWithOwnRoute(exchange, config, id);
        return session;
    }

    /** HttpSessionActivationListener.sessionDidActivate for attributes that listen (servlet layer only). */
    private void activate(Object manager, Object session, UndertowMembers.Members m) throws ReflectiveOperationException {
        Object servletContext = webApps.servletContext(manager);
        if (servletContext == null) {
            return;
        }
        Object httpSession = null;
        Map<?, ?> attributes = (Map<?, ?>) m.attributes.get(session);
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
}
