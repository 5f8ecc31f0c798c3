package io.sessionmirror.agent.tomcat;

import io.sessionmirror.agent.support.Reflector;
import java.lang.reflect.Field;

/** The fields of Tomcat's StandardSession that the adapter reads directly (no getter, or one with side effects). */
final class TomcatSessionFields {

    private static final String STANDARD_SESSION = "org.apache.catalina.session.StandardSession";

    private static final ClassValue<TomcatSessionFields> TYPES = new ClassValue<TomcatSessionFields>() {
        @Override
        protected TomcatSessionFields computeValue(Class<?> type) {
            Class<?> standard = Reflector.ancestor(type, STANDARD_SESSION);
            try {
                return standard == null ? null : new TomcatSessionFields(standard);
            } catch (IllegalStateException e) {
                return null; // cached as "not ours"; FamilyGate has named the missing field at transform time
            }
        }
    };

    final Field attributes;
    final Field isValid;
    final Field expiring;
    final Field principal;
    final Field authType;
    final Field manager;
    final Field id;
    /** Read directly: {@code getMaxInactiveInterval()} through reflection boxes, and it runs at every release. */
    final Field maxInactiveInterval;

    private TomcatSessionFields(Class<?> standardSession) {
        attributes = Reflector.field(standardSession, "attributes");
        isValid = Reflector.field(standardSession, "isValid");
        expiring = Reflector.field(standardSession, "expiring");
        principal = Reflector.field(standardSession, "principal");
        authType = Reflector.field(standardSession, "authType");
        manager = Reflector.field(standardSession, "manager");
        id = Reflector.field(standardSession, "id");
        maxInactiveInterval = Reflector.field(standardSession, "maxInactiveInterval");
    }

    /** The fields of {@code type}'s StandardSession, or null when {@code type} is not one. */
    static TomcatSessionFields of(Class<?> type) {
        return TYPES.get(type);
    }
}
