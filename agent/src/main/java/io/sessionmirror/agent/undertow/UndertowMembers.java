package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.support.Reflector;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * The members of {@code InMemorySessionManager} and its {@code SessionImpl} that the adapter reads and writes,
 * looked up once per manager class (a {@code ClassValue}, as the Tomcat and Jetty adapters do: a JVM may hold
 * more than one Undertow, e.g. two Spring Boot applications). A class that lacks one is cached as "not ours"
 * rather than looked up again on every request; {@code FamilyGate} has named the missing member already.
 */
final class UndertowMembers {

    /** Fields and the constructor of one manager class and its session class. */
    static final class Members {
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
        /** {@code SessionImpl.FIRST_REQUEST_ACCESS}: the exchange's attachment its first use of the session puts. */
        final Field firstRequestAccess;
        /** {@code HttpServerExchange.getAttachment(AttachmentKey)}, typed (Object, Object)Object: no argument array. */
        final MethodHandle getAttachment;

        Members(Class<?> mgr) throws ReflectiveOperationException {
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
            firstRequestAccess = Reflector.field(session, "FIRST_REQUEST_ACCESS");
            Class<?> exchange = Class.forName("io.undertow.server.HttpServerExchange", false, mgr.getClassLoader());
            Class<?> key = Class.forName("io.undertow.util.AttachmentKey", false, mgr.getClassLoader());
            getAttachment = MethodHandles.publicLookup().unreflect(exchange.getMethod("getAttachment", key))
                    .asType(MethodType.methodType(Object.class, Object.class, Object.class));
        }
    }

    private final ClassValue<Members> byManagerClass = new ClassValue<Members>() {
        @Override
        protected Members computeValue(Class<?> type) {
            Class<?> mgr = Reflector.ancestor(type, UndertowInstrumentation.MANAGER);
            try {
                return mgr == null ? null : new Members(mgr);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }
    };
    /** {@code SessionImpl.sessionManager} per session class, or null for a class that is not a SessionImpl. */
    private final ClassValue<Field> managerFields = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            Class<?> session = Reflector.ancestor(type, UndertowInstrumentation.SESSION);
            try {
                return session == null ? null : Reflector.field(session, "sessionManager");
            } catch (RuntimeException e) {
                return null;
            }
        }
    };

    /** Whether {@code o} is an {@code InMemorySessionManager} this Undertow has every member of. */
    boolean isManager(Object o) {
        return o != null && byManagerClass.get(o.getClass()) != null;
    }

    /** The members of {@code manager}'s class; throws for an object that is not such a manager. */
    Members of(Object manager) throws ReflectiveOperationException {
        Members m = manager == null ? null : byManagerClass.get(manager.getClass());
        if (m == null) {
            throw new NoSuchFieldException("not an Undertow InMemorySessionManager with the expected members: "
                    + (manager == null ? "null" : manager.getClass().getName()));
        }
        return m;
    }

    /** The manager of a {@code SessionImpl}, or null for any other object. */
    Object managerOf(Object session) throws IllegalAccessException {
        Field f = managerFields.get(session.getClass());
        return f == null ? null : f.get(session);
    }

    /** The members of the class of {@code session}'s manager. */
    Members ofSession(Object session) throws ReflectiveOperationException {
        return of(managerOf(session));
    }
}
