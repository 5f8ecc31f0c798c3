package io.sessionmirror.agent.undertow;

import io.sessionmirror.agent.support.Reflector;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Sees through the objects a server wraps around Undertow's own: WildFly registers each session listener
 * through its {@code CompletableSessionManager}, which wraps it in an anonymous decorator (so the servlet
 * layer's {@code SessionListenerBridge}, which knows the context path, is one field further in), and hands
 * the servlet layer its {@code CompletableSession} around each {@code SessionImpl}; the servlet layer wraps
 * WildFly's session config (which adds routes to cookies) in one of its own. A decorator keeps what
 * it decorates in a field declared with the decorated interface's type; those fields are followed, a few
 * levels deep, until an object of the wanted class turns up. Nothing is assumed about the decorator's name,
 * so other servers' wrappers are seen through as well.
 */
final class UndertowDecorators {

    static final String SESSION_LISTENER = "io.undertow.server.session.SessionListener";
    static final String SESSION = "io.undertow.server.session.Session";
    static final String SESSION_CONFIG = "io.undertow.server.session.SessionConfig";

    /** How many wrappers deep to look: WildFly uses one; more than a few would be a cycle or something else. */
    private static final int MAX_DEPTH = 4;

    /** The instance fields of a class (and its superclasses) declared with the type {@link #SESSION_LISTENER}. */
    private static final ClassValue<List<Field>> LISTENER_FIELDS = delegateFields(SESSION_LISTENER);
    /** ... declared with the type {@link #SESSION}. */
    private static final ClassValue<List<Field>> SESSION_FIELDS = delegateFields(SESSION);
    /** ... declared with the type {@link #SESSION_CONFIG}. */
    private static final ClassValue<List<Field>> SESSION_CONFIG_FIELDS = delegateFields(SESSION_CONFIG);

    private UndertowDecorators() {
    }

    /** The servlet layer's listener bridge inside {@code listener} (or {@code listener} itself), or null. */
    static Object listenerBridge(Object listener, String bridgeClass) {
        return unwrap(listener, type -> Reflector.ancestor(type, bridgeClass) != null, LISTENER_FIELDS, 0);
    }

    /** The {@code SessionImpl} inside {@code session} (or {@code session} itself), or null. */
    static Object sessionImpl(Object session) {
        return unwrap(session, type -> Reflector.ancestor(type, UndertowInstrumentation.SESSION) != null, SESSION_FIELDS, 0);
    }

    /**
     * The session config, of {@code config} and those it wraps (the servlet layer wraps WildFly's, which wraps
     * Undertow's cookie config), whose class is {@code wanted}; or null.
     */
    static Object sessionConfig(Object config, Predicate<Class<?>> wanted) {
        return unwrap(config, wanted, SESSION_CONFIG_FIELDS, 0);
    }

    private static Object unwrap(Object o, Predicate<Class<?>> wanted, ClassValue<List<Field>> delegates, int depth) {
        if (o == null) {
            return null;
        }
        if (wanted.test(o.getClass())) {
            return o;
        }
        if (depth >= MAX_DEPTH) {
            return null;
        }
        for (Field f : delegates.get(o.getClass())) {
            try {
                Object found = unwrap(f.get(o), wanted, delegates, depth + 1);
                if (found != null) {
                    return found;
                }
            } catch (IllegalAccessException | RuntimeException e) {
                // not readable: not the way in
            }
        }
        return null;
    }

    private static ClassValue<List<Field>> delegateFields(String typeName) {
        return new ClassValue<List<Field>>() {
            @Override
            protected List<Field> computeValue(Class<?> type) {
                List<Field> fields = new ArrayList<>();
                for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Field f : c.getDeclaredFields()) {
                        if (!Modifier.isStatic(f.getModifiers()) && f.getType().getName().equals(typeName)) {
                            try {
                                f.setAccessible(true);
                                fields.add(f);
                            } catch (RuntimeException e) {
                                // a class of a module that does not open it: not a decorator we can see through
                            }
                        }
                    }
                }
                return fields;
            }
        };
    }
}
