package io.sessionmirror.agent.jetty;

import io.sessionmirror.agent.support.Reflector;
import java.lang.reflect.Field;

/**
 * The fields of Jetty's session class that the adapter reads directly ({@code Session} before Jetty 12,
 * {@code ManagedSession} in 12), found once per session class.
 */
final class JettySessionFields {

    private static final ClassValue<JettySessionFields> TYPES = new ClassValue<JettySessionFields>() {
        @Override
        protected JettySessionFields computeValue(Class<?> type) {
            for (String name : new String[] {JettyInstrumentation.LEGACY + "Session", JettyInstrumentation.CORE + "ManagedSession"}) {
                Class<?> c = Reflector.ancestor(type, name);
                if (c != null) {
                    try {
                        return new JettySessionFields(c);
                    } catch (IllegalStateException e) {
                        return null; // cached as "not ours"; FamilyGate has named the missing field
                    }
                }
            }
            return null;
        }
    };

    final Field data;
    final Field manager;
    final Field state;
    /** Jetty's own count of the requests using the session (it keeps it to know when a session may be evicted). */
    final Field requests;

    private JettySessionFields(Class<?> sessionClass) {
        data = Reflector.field(sessionClass, "_sessionData");
        requests = Reflector.field(sessionClass, "_requests");
        manager = Reflector.field(sessionClass, sessionClass.getName().endsWith("ManagedSession") ? "_manager" : "_handler");
        state = Reflector.field(sessionClass, "_state");
    }

    /** The fields of {@code type}'s Jetty session class, or null when {@code type} is not a Jetty session. */
    static JettySessionFields of(Class<?> type) {
        return TYPES.get(type);
    }
}
